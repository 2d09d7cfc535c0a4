"""Build planbook_csv._csv against the headers of the installed planbook
(planbook.get_include()) and nothing else, warnings as errors."""
import sys

import planbook
from setuptools import Extension, setup

if sys.platform == "win32":
    flags = ["/W4", "/WX"]
else:
    flags = ["-std=c11", "-Wall", "-Wextra", "-Werror"]

setup(ext_modules=[Extension("planbook_csv._csv", ["planbook_csv/_csv.c"],
                             include_dirs=planbook.get_include(),
                             extra_compile_args=flags)])
