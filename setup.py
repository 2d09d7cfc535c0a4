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


def flags():
    compile_args = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wno-missing-field-initializers",
                    "-fvisibility=hidden"]
    link_args = []
    if os.environ.get("PLANBOOK_DEBUG") or os.environ.get("PLANBOOK_SANITIZE"):
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
        # setuptools passes CPython's own CFLAGS (-O3 ...) first; ours follow
        # and win.  Drop -DNDEBUG for debug builds.
        if os.environ.get("PLANBOOK_DEBUG") or os.environ.get("PLANBOOK_SANITIZE"):
            for attr in ("compiler_so", "compiler"):
                cmd = getattr(self.compiler, attr, None)
                if cmd:
                    setattr(self.compiler, attr, [a for a in cmd if a != "-DNDEBUG"])
        super().build_extensions()


core_sources = sorted(glob(rel("csrc", "*.c")))
compile_args, link_args = flags()
yaml_inc, yaml_libdirs, yaml_libs = pkg_config("yaml-0.1", "libyaml-dev")
xlsx_inc, xlsx_libdirs, xlsx_libs = pkg_config("xlsxwriter", "libxlsxwriter-dev")
zip_inc, zip_libdirs, zip_libs = pkg_config("minizip", "libminizip-dev")
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
