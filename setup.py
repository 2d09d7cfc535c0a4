"""Build the C extensions: planbook._core (the C core and its binding),
planbook_yaml._yaml (the YAML plugin, on the system libyaml),
planbook_xlsx._xlsx (the Excel writer, on the system libxlsxwriter) and
planbook_xlsxread._xlsxread (the Excel reader, on the system libzip and expat).

Environment switches:
  PLANBOOK_DEBUG=1     -O0 -g, assertions on
  PLANBOOK_SANITIZE=1  AddressSanitizer + UndefinedBehaviorSanitizer
                       (run Python with LD_PRELOAD of libasan; see Makefile)
  PLANBOOK_COVERAGE=1  gcov instrumentation
Warnings are errors in every build (-Wall -Wextra -Werror).
"""
import os
import shutil
import subprocess
import sys
from glob import glob

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


def rel(*parts):
    return os.path.join(*parts)


def pkg_config(name, debian_package):
    """Compiler and linker flags of a system library, or stop with one clear
    message naming the Debian package to install."""
    message = (
        f"\nplanbook needs the system library '{name}' to build, and it was not found.\n"
        f"On Debian or Ubuntu install it with:\n\n"
        f"    sudo apt-get install {debian_package} pkg-config\n\n"
        f"(or run 'make demo' / 'make test', which install it for you).\n")
    if shutil.which("pkg-config") is None:
        sys.exit(message)
    try:
        cflags = subprocess.check_output(["pkg-config", "--cflags", name], text=True).split()
        libs = subprocess.check_output(["pkg-config", "--libs", name], text=True).split()
    except (OSError, subprocess.CalledProcessError):
        sys.exit(message)
    include = [f[2:] for f in cflags if f.startswith("-I")]
    libdirs = [f[2:] for f in libs if f.startswith("-L")]
    libnames = [f[2:] for f in libs if f.startswith("-l")]
    return include, libdirs, libnames


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
        super().build_extensions()


core_sources = sorted(glob(rel("csrc", "*.c")))
compile_args, link_args = flags()
yaml_inc, yaml_libdirs, yaml_libs = pkg_config("yaml-0.1", "libyaml-dev")
xlsx_inc, xlsx_libdirs, xlsx_libs = pkg_config("xlsxwriter", "libxlsxwriter-dev")
zip_inc, zip_libdirs, zip_libs = pkg_config("libzip", "libzip-dev")
expat_inc, expat_libdirs, expat_libs = pkg_config("expat", "libexpat1-dev")
include_dirs = [rel("csrc"), rel("python", "planbook", "include")]

extensions = [
    Extension(
        "planbook._core",
        sources=[rel("python", "planbook", "_coremodule.c")] + core_sources,
        include_dirs=include_dirs,
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    ),
    Extension(
        "planbook_yaml._yaml",
        sources=[rel("plugins", "yaml", "planbook_yaml", "_yamlmodule.c"),
                 rel("plugins", "yaml", "pb_yaml_read.c"),
                 rel("plugins", "yaml", "pb_yaml_write.c")],
        include_dirs=include_dirs + [rel("plugins", "yaml")] + yaml_inc,
        library_dirs=yaml_libdirs,
        libraries=yaml_libs,
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    ),
    Extension(
        "planbook_xlsx._xlsx",
        sources=[rel("plugins", "xlsx", "planbook_xlsx", "_xlsxmodule.c"),
                 rel("plugins", "xlsx", "pb_xlsx.c"),
                 rel("plugins", "xlsx", "pb_xlsx_budget.c"),
                 rel("plugins", "xlsx", "pb_xlsx_verify.c"),
                 rel("plugins", "xlsx", "pb_xlsx_dash.c"),
                 rel("plugins", "xlsx", "pb_xlsx_more.c"),
                 rel("plugins", "xlsx", "pb_xlsx_structure.c")],
        include_dirs=include_dirs + [rel("plugins", "xlsx")] + xlsx_inc,
        library_dirs=xlsx_libdirs,
        libraries=xlsx_libs,
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    ),
    Extension(
        "planbook_xlsxread._xlsxread",
        sources=[rel("plugins", "xlsxread", "planbook_xlsxread", "_xlsxread.c"),
                 rel("plugins", "xlsxread", "pb_xlsxread.c"),
                 rel("plugins", "xlsxread", "pb_xlsxread_book.c"),
                 rel("plugins", "xlsxread", "pb_xlsxread_budget.c"),
                 rel("plugins", "xlsxread", "pb_xlsxread_number.c"),
                 rel("plugins", "xlsxread", "pb_xlsxread_structure.c")],
        include_dirs=include_dirs + [rel("plugins", "xlsxread")] + zip_inc + expat_inc,
        library_dirs=zip_libdirs + expat_libdirs,
        libraries=zip_libs + expat_libs,
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    ),
]

setup(ext_modules=extensions, cmdclass={"build_ext": BuildExt})
