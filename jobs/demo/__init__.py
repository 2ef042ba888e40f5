"""`digestbot demo`: the whole pipeline offline on 20 real papers bundled with the package."""

from jobs.demo.run import run_demo

__all__ = ["run_demo"]
