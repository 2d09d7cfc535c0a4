"""Build the C extensions: planbook._core (the C core and its binding),
planbook_yaml._yaml (the YAML plugin, on libyaml),
planbook_xlsx._xlsx (the Excel writer, on libxlsxwriter) and
planbook_xlsxread._xlsxread (the Excel reader, on minizip's unzip and expat).

The libraries are found with pkg-config, or, with PLANBOOK_DEPS=PREFIX, linked
statically from PREFIX/lib (tools/build_deps.sh builds such a prefix for the
binary wheels).  A library that is missing stops the build with its name and
how to install it on each platform.

Environment switches:
  PLANBOOK_DEPS=PREFIX        static libraries (see above)
  PLANBOOK_LIMITED_API=cp310  build for CPython's stable ABI (an abi3 wheel)
  PLANBOOK_DEBUG=1     -O0 -g, assertions on
  PLANBOOK_SANITIZE=1  AddressSanitizer + UndefinedBehaviorSanitizer
                       (run Python with LD_PRELOAD of libasan; see Makefile)
  PLANBOOK_COVERAGE=1  gcov instrumentation
Warnings are errors in every build (-Wall -Wextra -Werror; MSVC /W4 /WX).
"""
import os
import shutil
import subprocess
import sys
from glob import glob

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def rel(*parts):
    return os.path.join(*parts)


# Every C library an extension links: its pkg-config name, the static archives
# a prefix built by tools/build_deps.sh holds for it, and how to install it.
LIBRARIES = {
    "yaml-0.1": dict(what="libyaml", archives=["yaml"], static_macro="YAML_DECLARE_STATIC",
                     debian="libyaml-dev",
                     fedora="libyaml-devel", brew="libyaml", vcpkg="libyaml",
                     conda="yaml"),
    "xlsxwriter": dict(what="libxlsxwriter", archives=["xlsxwriter", "z"],
                       # built with its dtoa: by build_deps.sh, or vcpkg's
                       # libxlsxwriter[dtoa] on Windows (tools/cibw_deps.sh)
                       static_macro="PB_XLSX_DTOA",
                       debian="libxlsxwriter-dev", fedora="libxlsxwriter-devel",
                       brew="libxlsxwriter", vcpkg="\"libxlsxwriter[dtoa]\"",
                       conda="libxlsxwriter"),
    "minizip": dict(what="minizip (zlib's unzip)", archives=["pbunzip", "z"],
                    subdir="minizip", debian="libminizip-dev",
                    fedora="minizip-compat-devel", brew="minizip", vcpkg="minizip",
                    conda="minizip"),
    "expat": dict(what="expat", archives=["expat"], static_macro="XML_STATIC",
                  debian="libexpat1-dev",
                  fedora="expat-devel", brew="expat", vcpkg="expat", conda="expat"),
}

# what vcpkg's static triplets call the archives (zlib.lib, minizip.lib, ...)
ARCHIVE_NAMES_MSVC = {"z": ["zlib", "zlibstatic"], "pbunzip": ["minizip"],
                      "expat": ["libexpatMD", "libexpatMT", "expat"], "yaml": ["yaml"],
                      "xlsxwriter": ["xlsxwriter"]}

# PLANBOOK_DEPS=PREFIX: link the static archives in PREFIX/lib (headers in
# PREFIX/include) instead of asking pkg-config; the binary wheels are built so.
DEPS = os.environ.get("PLANBOOK_DEPS")


def missing(name, why):
    lib = LIBRARIES[name]
    return (
        f"\nplanbook cannot be built: the C library {lib['what']} ({why}).\n"
        f"Install its development files, then build again:\n\n"
        f"    Debian, Ubuntu:  sudo apt-get install {lib['debian']} pkg-config\n"
        f"    Fedora, RHEL:    sudo dnf install {lib['fedora']} pkgconf-pkg-config\n"
        f"    macOS:           brew install {lib['brew']} pkg-config\n"
        f"    Windows:         vcpkg install {lib['vcpkg']}  (then set PLANBOOK_DEPS, see docs/install.md)\n"
        f"    conda:           conda install -c conda-forge {lib['conda']} pkg-config\n\n"
        f"Most people need none of this: 'pip install planbook' takes a binary wheel\n"
        f"that carries these libraries.  From a git checkout, 'make demo' or\n"
        f"'make test' installs them on Debian or Ubuntu (docs/install.md).\n")


def static_library(name):
    """Include folders and archives of a library in the PLANBOOK_DEPS prefix."""
    lib = LIBRARIES[name]
    include = os.path.join(DEPS, "include")
    includes = [include] + ([os.path.join(include, lib["subdir"])] if "subdir" in lib else [])
    archives = []
    for stem in lib["archives"]:
        names = [f"lib{stem}.a"] + [f"{n}.lib" for n in ARCHIVE_NAMES_MSVC.get(stem, [stem])]
        found = [os.path.join(DEPS, "lib", f) for f in names
                 if os.path.exists(os.path.join(DEPS, "lib", f))]
        if not found:
            sys.exit(missing(name, f"lib{stem}.a is not in {os.path.join(DEPS, 'lib')}"))
        archives.append(found[0])
    macros = [(lib["static_macro"], "1")] if "static_macro" in lib else []
    return merge(dict(include_dirs=includes, extra_objects=archives, define_macros=macros),
                 gmtime_wrap() if name == "xlsxwriter" else {})


def gmtime_wrap():
    """glibc's gmtime() returns one buffer for the whole process, and a
    static libxlsxwriter calls it while it packages a workbook (the created
    date), which the binding does without the GIL: on Linux its calls are
    sent to planbook_xlsx's __wrap_gmtime (gmtime_r into a buffer per thread;
    GNU ld and lld).  Elsewhere gmtime's buffer is per thread already
    (macOS, Windows).  Its temporary files, likewise, go to
    __wrap_lxw_tmpfile, which keeps them in memory while they are small
    (plugins/xlsx/pb_xlsx_spool.c: creating them on disk was most of the
    kernel's part of a save), and its parts are deflated at level 5, not
    the default 6, through __wrap_deflateInit2_ (pb_xlsx_deflate.c: the
    same bytes within 0.3%, in about 60% of the time).  minizip's calls that
    add a part, and deflate, go through pb_xlsx_zipcheck.c, which checks
    each part on its way into the zip, so that the package is checked
    against them without being inflated again."""
    if not sys.platform.startswith("linux"):
        return {}
    return dict(extra_link_args=["-Wl,--wrap=gmtime", "-Wl,--wrap=lxw_tmpfile",
                                 "-Wl,--wrap=deflateInit2_", "-Wl,--wrap=deflate",
                                 "-Wl,--wrap=zipOpenNewFileInZip4_64",
                                 "-Wl,--wrap=zipWriteInFileInZip",
                                 "-Wl,--wrap=zipCloseFileInZip"],
                define_macros=[("PB_XLSX_GMTIME_WRAP", "1"), ("PB_XLSX_TMPFILE_WRAP", "1"),
                               ("PB_XLSX_DEFLATE_WRAP", "1"), ("PB_XLSX_ZIP_WRAP", "1")])


# libxlsxwriter for the development build: built from source with its dtoa
# option over zlib-ng (tools/build_deps.sh with PLANBOOK_DEPS_ONLY=xlsxwriter,
# which the Makefile runs), linked statically; PLANBOOK_XLSXWRITER=PREFIX names
# another prefix, PLANBOOK_XLSXWRITER=system takes pkg-config's (printf'd
# numbers, the system's zlib).
XLSXWRITER_PREFIX = os.environ.get("PLANBOOK_XLSXWRITER") or os.path.join(
    HERE, "build-deps", "xlsxwriter", "prefix")


def own_xlsxwriter():
    """Arguments for the libxlsxwriter and zlib built by tools/build_deps.sh
    into XLSXWRITER_PREFIX, or None to ask pkg-config."""
    lib = os.path.join(XLSXWRITER_PREFIX, "lib")
    archives = [os.path.join(lib, f) for f in ("libxlsxwriter.a", "libz.a")]
    if XLSXWRITER_PREFIX == "system" or not all(map(os.path.exists, archives)):
        if os.environ.get("PLANBOOK_XLSXWRITER") not in (None, "", "system"):
            sys.exit(missing("xlsxwriter", f"{archives[0]} or {archives[1]} is missing"))
        return None
    # the archives' symbols (zlib's above all) stay inside the extension, so
    # another zlib in the process neither takes their calls nor is taken
    hide = ["-Wl,--exclude-libs,ALL"] if sys.platform.startswith("linux") else []
    return merge(dict(include_dirs=[os.path.join(XLSXWRITER_PREFIX, "include")],
                      extra_objects=archives, extra_link_args=hide,
                      define_macros=[("PB_XLSX_DTOA", "1")]), gmtime_wrap())


def library(name):
    """Build arguments for one C library: from PLANBOOK_DEPS, else pkg-config;
    a library that cannot be found stops the build naming it."""
    if DEPS:
        return static_library(name)
    if name == "xlsxwriter" and own_xlsxwriter():
        return own_xlsxwriter()
    if shutil.which("pkg-config") is None:
        sys.exit(missing(name, "pkg-config, which finds it, is not installed"))
    try:
        cflags = subprocess.check_output(["pkg-config", "--cflags", name], text=True,
                                         stderr=subprocess.DEVNULL).split()
        libs = subprocess.check_output(["pkg-config", "--libs", name], text=True,
                                       stderr=subprocess.DEVNULL).split()
    except (OSError, subprocess.CalledProcessError):
        sys.exit(missing(name, f"pkg-config does not know '{name}'"))
    return dict(include_dirs=[f[2:] for f in cflags if f.startswith("-I")],
                library_dirs=[f[2:] for f in libs if f.startswith("-L")],
                libraries=[f[2:] for f in libs if f.startswith("-l")])


def merge(*parts):
    """Extension keyword arguments of several libraries, lists joined in order."""
    out = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, list):
                out.setdefault(key, [])
                out[key] += [v for v in value if v not in out[key]]
            else:
                out[key] = value
    return out


def flags(compiler_type="unix"):
    """Compile and link flags for a setuptools compiler type: 'msvc', or
    'unix' / 'mingw32' (gcc or clang).  The Extensions below are declared
    with the gcc/clang flags; BuildExt swaps in the ones of the compiler
    that actually builds."""
    debug = os.environ.get("PLANBOOK_DEBUG") or os.environ.get("PLANBOOK_SANITIZE")
    if compiler_type == "msvc":
        # /W4 /WX is -Wall -Wextra -Werror's counterpart; /external:* keeps
        # third-party and Python headers out of it.  Not warnings: the
        # "unsafe"/POSIX-name deprecations (C4996) of fopen, strdup, ...;
        # C4200, MSVC's name for C99 flexible array members (pb_arena.c);
        # C4706, an assignment in a condition, which gcc accepts in double
        # parentheses, the spelling used here.
        compile_args = ["/std:c11", "/W4", "/WX", "/external:anglebrackets", "/external:W0",
                        "/D_CRT_SECURE_NO_WARNINGS", "/D_CRT_NONSTDC_NO_DEPRECATE",
                        "/wd4200", "/wd4706"]
        link_args = []
        compile_args += ["/Od", "/Zi", "/UNDEBUG"] if debug else ["/O2"]
        if os.environ.get("PLANBOOK_SANITIZE"):
            compile_args += ["/fsanitize=address"]  # MSVC has no UBSan
        if os.environ.get("PLANBOOK_COVERAGE"):
            sys.exit("PLANBOOK_COVERAGE needs gcc or clang (gcov)")
        return compile_args, link_args
    compile_args = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wno-missing-field-initializers",
                    "-fvisibility=hidden"]
    link_args = []
    if compiler_type == "mingw32":
        # C99 printf (%zu, %lld), which PB_PRINTF has gcc check (pb_platform.h)
        compile_args += ["-D__USE_MINGW_ANSI_STDIO=1"]
    if debug:
        compile_args += ["-O0", "-g3", "-UNDEBUG"]
    else:
        compile_args += ["-O2"]
    if os.environ.get("PLANBOOK_SANITIZE"):
        san = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
               "-fno-omit-frame-pointer"]
        compile_args += san
        link_args += san
    if os.environ.get("PLANBOOK_COVERAGE"):
        compile_args += ["--coverage"]
        link_args += ["--coverage"]
    return compile_args, link_args


class BuildExt(build_ext):
    def build_extensions(self):
        # The flags of the compiler that builds: each Extension was given
        # flags() (gcc/clang); those are replaced, anything else it was
        # given stays.
        kind = self.compiler.compiler_type
        given_compile, given_link = flags()
        compile_args, link_args = flags(kind)
        for ext in self.extensions:
            ext.extra_compile_args = [a for a in ext.extra_compile_args
                                      if a not in given_compile] + compile_args
            ext.extra_link_args = [a for a in ext.extra_link_args
                                   if a not in given_link] + link_args
        # setuptools passes CPython's own CFLAGS (-O3 ...) first; ours follow
        # and win.  Drop -DNDEBUG for debug builds.
        if kind != "msvc" and (os.environ.get("PLANBOOK_DEBUG")
                               or os.environ.get("PLANBOOK_SANITIZE")):
            for attr in ("compiler_so", "compiler"):
                cmd = getattr(self.compiler, attr, None)
                if cmd:
                    setattr(self.compiler, attr, [a for a in cmd if a != "-DNDEBUG"])
        for ext in self.extensions:
            add_libraries(ext)
        if DEPS and sys.platform.startswith("linux"):
            self.export_only_init()
        super().build_extensions()

    def export_only_init(self):
        """With static libraries linked in, an extension exports its PyInit
        function and nothing else, so the libraries' symbols can never clash
        with another copy in the process (a version script: GNU ld and lld)."""
        os.makedirs(self.build_temp, exist_ok=True)
        script = os.path.join(self.build_temp, "planbook-exports.map")
        with open(script, "w") as f:
            f.write("{\n  global: PyInit_*;\n  local: *;\n};\n")
        for ext in self.extensions:
            ext.extra_link_args = ext.extra_link_args + [f"-Wl,--version-script={script}"]


def sources(folder, binding):
    """A plugin's C files and its binding module."""
    return [binding] + sorted(glob(rel(folder, "*.c")))


def limited_api():
    """PLANBOOK_LIMITED_API=cp310: build against CPython's stable ABI (abi3)
    from that version on, so one wheel serves every later Python."""
    tag = os.environ.get("PLANBOOK_LIMITED_API")
    if not tag:
        return {}, {}
    major, minor = int(tag[2]), int(tag[3:])
    macro = [("Py_LIMITED_API", f"0x{major:02X}{minor:02X}0000")]
    return dict(define_macros=macro, py_limited_api=True), \
        {"bdist_wheel": {"py_limited_api": tag}}


compile_args, link_args = flags()
if DEPS and sys.platform.startswith("linux"):
    # strip the wheel's extensions of debug information and local symbols
    # (the exports are limited in BuildExt: export_only_init)
    link_args = link_args + ["-s"]
abi3, options = limited_api()
include_dirs = [rel("csrc"), rel("python", "planbook", "include")]


def capi_headers():
    """{name: path} of the C API's headers for outside plugins: these and
    every header they reach through #include "..." (the core's, from
    csrc/), found anew at each build (python/planbook/_capi_headers.py), so
    a header added or split in csrc/ ships with no edit here."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "_capi_headers", rel("python", "planbook", "_capi_headers.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found = module.reached(include_dirs)
    missing = sorted(name for name, path in found.items() if path is None)
    if missing:
        sys.exit(f"planbook cannot be built: the headers {', '.join(missing)}, included "
                 f"by the C API's headers, are in none of {', '.join(include_dirs)}")
    return found


class BuildPy(build_py):
    """Also copy the C API's headers into planbook/include of the built
    package (and so of the wheel): planbook.get_include() is then all an
    outside plugin in C needs (docs/plugins.md)."""

    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "planbook", "include")
        self.mkpath(target)
        for name, path in sorted(capi_headers().items()):
            self.copy_file(path, os.path.join(target, name))


def extension(name, sources, *libraries, includes=()):
    """An extension; the C libraries it links are looked up only when it is
    built (add_libraries), so making an sdist needs none of them."""
    ext = Extension(name, sources=sources, include_dirs=include_dirs + list(includes),
                    extra_compile_args=compile_args, extra_link_args=link_args, **abi3)
    ext.planbook_libraries = libraries
    return ext


def add_libraries(ext):
    found = merge(*[library(n) for n in getattr(ext, "planbook_libraries", ())])
    for key, value in found.items():
        setattr(ext, key, getattr(ext, key) + [v for v in value if v not in getattr(ext, key)])


extensions = [
    extension("planbook._core",
              sorted(glob(rel("python", "planbook", "_core*.c"))) + sorted(glob(rel("csrc", "*.c")))),
    extension("planbook_yaml._yaml",
              sources(rel("plugins", "yaml"), rel("plugins", "yaml", "planbook_yaml", "_yamlmodule.c")),
              "yaml-0.1", includes=[rel("plugins", "yaml")]),
    extension("planbook_xlsx._xlsx",
              sources(rel("plugins", "xlsx"), rel("plugins", "xlsx", "planbook_xlsx", "_xlsxmodule.c")),
              "xlsxwriter", includes=[rel("plugins", "xlsx")]),
    extension("planbook_xlsxread._xlsxread",
              sources(rel("plugins", "xlsxread"),
                      rel("plugins", "xlsxread", "planbook_xlsxread", "_xlsxread.c"))
              + [rel("plugins", "xlsxread", "planbook_xlsxread", "_xlsxread_ahead.c")],
              "minizip", "expat", includes=[rel("plugins", "xlsxread")]),
]

setup(ext_modules=extensions, cmdclass={"build_ext": BuildExt, "build_py": BuildPy},
      options=options)
