"""Headless Chromium, driven by the DevTools protocol (CDP), for printing a
committee pack to PDF (and for the tests that look at the pack the way a
browser shows it).

The browser is started here and always stopped here: a temporary profile
folder, ``--remote-debugging-port=0`` (the browser picks a free port and
writes it to ``DevToolsActivePort`` in the profile), one WebSocket to it
through the ``websocket-client`` package, and on the way out the browser is
terminated (killed if it does not stop) and the profile removed, whatever
happened.  Nothing leaves the machine: every host name resolves to nothing
(``--host-resolver-rules``), and the pack needs nothing from a network.

>>> with Chromium() as browser:                         # doctest: +SKIP
...     page = browser.open("file:///tmp/pack.html")
...     pdf = page.print_pdf()
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional

from .errors import PlanbookError

__all__ = ["Chromium", "Page", "BrowserError", "find_chromium"]

#: names the browser goes by on the PATH, in the order tried
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
          "microsoft-edge", "msedge")
_MAC = ("/Applications/Chromium.app/Contents/MacOS/Chromium",
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
_WINDOWS = (r"Google\Chrome\Application\chrome.exe", r"Chromium\Application\chrome.exe",
            r"Microsoft\Edge\Application\msedge.exe")

INSTALL_HINT = ("install Chromium (Debian, Ubuntu: sudo apt-get install chromium; "
                "Fedora: sudo dnf install chromium; macOS: brew install --cask chromium; "
                "Windows: Google Chrome or Microsoft Edge) or set PLANBOOK_CHROMIUM to the "
                "browser's program")


class BrowserError(PlanbookError):
    """Chromium is not installed, would not start, or failed to do what was
    asked (load the page, print it)."""


def find_chromium() -> Optional[str]:
    """The browser's program: ``$PLANBOOK_CHROMIUM``, else the first of
    chromium, chromium-browser, google-chrome, ... on the PATH, else the
    usual places on macOS and Windows; None when there is none."""
    given = os.environ.get("PLANBOOK_CHROMIUM")
    if given:
        found = shutil.which(given)
        return found or (given if os.path.isfile(given) else None)
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    if sys.platform == "darwin":
        for path in _MAC:
            if os.path.isfile(path):
                return path
    if os.name == "nt":
        for root in filter(None, (os.environ.get("PROGRAMFILES"),
                                  os.environ.get("PROGRAMFILES(X86)"),
                                  os.environ.get("LOCALAPPDATA"))):
            for rel in _WINDOWS:
                path = os.path.join(root, rel)
                if os.path.isfile(path):
                    return path
    return None


def _websocket():
    try:
        import websocket  # the websocket-client package
    except ImportError:
        raise ImportError("printing a pack to PDF needs the websocket-client package: "
                          "pip install websocket-client") from None
    return websocket


class Chromium:
    """A headless Chromium of our own, for the length of a ``with`` block.

    ``timeout`` bounds each step (starting, loading, printing), in seconds.
    """

    def __init__(self, program: Optional[str] = None, *, timeout: float = 60.0):
        found = program or find_chromium()
        if found is None:
            raise BrowserError(f"no Chromium browser found: {INSTALL_HINT}")
        self.program: str = found
        self.timeout = timeout
        self._proc: Optional[subprocess.Popen[bytes]] = None
        self._profile: Optional[str] = None
        self._ws: Any = None
        self._next = 0
        self._events: List[Dict[str, Any]] = []
        self._log = None

    # -- start and stop ----------------------------------------------------
    def __enter__(self) -> "Chromium":
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        websocket = _websocket()
        self._profile = tempfile.mkdtemp(prefix="planbook-chromium-")
        args = [self.program, "--headless=new", "--remote-debugging-port=0",
                f"--user-data-dir={self._profile}", "--no-first-run",
                "--no-default-browser-check", "--disable-gpu", "--disable-extensions",
                "--disable-background-networking", "--disable-sync", "--disable-dev-shm-usage",
                "--disable-component-update", "--disable-default-apps", "--mute-audio",
                "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND",
                "--allow-file-access-from-files", "about:blank"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # Chromium will not run as root with its sandbox; the page it
            # loads is our own file, with no scripts and no network
            args.insert(1, "--no-sandbox")
        self._log = tempfile.TemporaryFile(prefix="planbook-chromium-log-")
        try:
            # its own process group, so that stopping it stops its helpers too
            self._proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=self._log,
                                          start_new_session=(os.name == "posix"))
        except OSError as exc:
            raise BrowserError(f"could not start {self.program}: {exc.strerror or exc}; "
                               f"{INSTALL_HINT}") from None
        port_file = os.path.join(self._profile, "DevToolsActivePort")
        deadline = time.monotonic() + self.timeout
        while True:
            if self._proc.poll() is not None:
                raise BrowserError(f"{self.program} stopped as it started (exit status "
                                   f"{self._proc.returncode}): {self._stderr_tail()}")
            try:
                with open(port_file, encoding="ascii") as f:
                    lines = f.read().split()
                if len(lines) >= 2:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BrowserError(f"{self.program} did not start within {self.timeout:g} s: "
                                   f"{self._stderr_tail()}")
            time.sleep(0.05)
        url = f"ws://127.0.0.1:{int(lines[0])}{lines[1]}"
        self._ws = websocket.create_connection(url, timeout=self.timeout,
                                               suppress_origin=True)

    def _stderr_tail(self) -> str:
        if self._log is None:
            return ""
        try:
            self._log.seek(0)
            text = self._log.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""
        lines = [ln for ln in text.splitlines() if ln.strip()]
        return " / ".join(lines[-3:]) or "(no message)"

    def close(self) -> None:
        """Stop the browser (asked to close, then terminated, then killed,
        with its process group) and remove its profile."""
        proc, self._proc = self._proc, None
        if self._ws is not None:
            if proc is not None and proc.poll() is None:
                try:
                    self._ws.settimeout(2)
                    self._next += 1
                    self._ws.send(json.dumps({"id": self._next, "method": "Browser.close"}))
                except Exception:
                    pass
            try:
                self._ws.close()
            except Exception:
                pass
            self._ws = None
        if proc is not None:
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
            if os.name == "posix":
                import signal
                try:   # helpers left behind in the browser's own group
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    # -- the protocol --------------------------------------------------------
    def send(self, method: str, params: Optional[Dict[str, Any]] = None, *,
             session: Optional[str] = None, timeout: Optional[float] = None) -> Dict[str, Any]:
        """Send one command and wait for its answer; events that arrive
        meanwhile are kept (see :meth:`wait_for` and :attr:`events`)."""
        if self._ws is None:
            raise BrowserError("the browser is not running")
        self._next += 1
        msg: Dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session is not None:
            msg["sessionId"] = session
        self._ws.send(json.dumps(msg))
        want = self._next
        found = self._receive(lambda m: m.get("id") == want, timeout, method)
        if "error" in found:
            err = found["error"]
            raise BrowserError(f"{method}: {err.get('message', err)}")
        return found.get("result", {})

    def wait_for(self, method: str, *, session: Optional[str] = None,
                 timeout: Optional[float] = None) -> Dict[str, Any]:
        """The next event ``method`` (one that already arrived counts)."""
        for i, ev in enumerate(self._events):
            if ev.get("method") == method and (session is None or ev.get("sessionId") == session):
                return self._events.pop(i).get("params", {})
        found = self._receive(lambda m: m.get("method") == method and
                              (session is None or m.get("sessionId") == session),
                              timeout, method, keep=False)
        return found.get("params", {})

    @property
    def events(self) -> List[Dict[str, Any]]:
        """Events received and not yet waited for (method, params, sessionId)."""
        return self._events

    def _receive(self, match: Callable[[Dict[str, Any]], bool], timeout: Optional[float],
                 what: str, keep: bool = True) -> Dict[str, Any]:
        websocket = _websocket()
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"the browser did not answer {what} in time")
            self._ws.settimeout(left)
            try:
                raw = self._ws.recv()
            except websocket.WebSocketTimeoutException:
                raise BrowserError(f"the browser did not answer {what} in time") from None
            except (websocket.WebSocketException, OSError) as exc:
                raise BrowserError(f"lost the browser while waiting for {what}: {exc}; "
                                   f"{self._stderr_tail()}") from None
            msg = json.loads(raw)
            if match(msg):
                return msg
            if "method" in msg:
                self._events.append(msg)

    def open(self, url: str, *, width: Optional[int] = None, height: int = 1123) -> "Page":
        """A new tab showing ``url`` (loaded: the load event has fired).
        ``width`` (CSS pixels) sets the window's width, as a screen would."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        for domain in ("Page", "Runtime", "Log"):
            page.send(f"{domain}.enable")
        if width is not None:
            page.send("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1,
                       "mobile": False})
        page.navigate(url)
        return page


class Page:
    """One tab of the browser, attached through a flat session."""

    def __init__(self, browser: Chromium, target: str, session: str):
        self.browser, self.target, self.session = browser, target, session

    def send(self, method: str, params: Optional[Dict[str, Any]] = None,
             timeout: Optional[float] = None) -> Dict[str, Any]:
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def navigate(self, url: str) -> None:
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"could not load {url}: {result['errorText']}")
        self.browser.wait_for("Page.loadEventFired", session=self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-able)."""
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in r:
            raise BrowserError(f"script failed: {r['exceptionDetails'].get('text')}")
        return r["result"].get("value")

    def problems(self) -> List[str]:
        """Console errors, warnings, uncaught exceptions and failed loads
        seen so far (each as one line)."""
        out: List[str] = []
        for ev in self.browser.events:
            if ev.get("sessionId") != self.session:
                continue
            p = ev.get("params", {})
            if ev["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error",
                                                                                   "warning",
                                                                                   "assert"):
                args = " ".join(str(a.get("value", a.get("description", "")))
                                for a in p.get("args", []))
                out.append(f"console.{p['type']}: {args}")
            elif ev["method"] == "Runtime.exceptionThrown":
                out.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
            elif ev["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") in (
                    "error", "warning"):
                e = p["entry"]
                out.append(f"{e.get('source')} {e.get('level')}: {e.get('text')} "
                           f"{e.get('url', '')}".strip())
        return out

    def screenshot(self, *, full_page: bool = True) -> bytes:
        """A PNG of the page (all of it, by default)."""
        params: Dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            m = self.send("Page.getLayoutMetrics")
            size = m.get("cssContentSize") or m["contentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"],
                              "height": size["height"], "scale": 1}
        return base64.b64decode(self.send("Page.captureScreenshot", params)["data"])

    def print_pdf(self, *, footer: str = "", header: str = "") -> bytes:
        """The page printed as the CSS ``@page`` rules say (A4 by default),
        backgrounds included, with ``footer``/``header`` (HTML fragments for
        Chromium's page templates: ``<span class="pageNumber">``...)."""
        params: Dict[str, Any] = {
            "printBackground": True, "preferCSSPageSize": True,
            "paperWidth": 8.27, "paperHeight": 11.69,      # A4, when CSS does not say
            "marginTop": 0.6, "marginBottom": 0.7, "marginLeft": 0.6, "marginRight": 0.6,
            "displayHeaderFooter": bool(footer or header),
            "headerTemplate": header or "<span></span>",
            "footerTemplate": footer or "<span></span>",
            "generateDocumentOutline": True, "generateTaggedPDF": True,
        }
        result = self.send("Page.printToPDF", params, timeout=max(self.browser.timeout, 120))
        return base64.b64decode(result["data"])

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})
