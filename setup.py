"""Installs the NetLab packages and the ``netlab`` command."""

from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).parent


def requirements() -> list[str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


setup(
    name="netlab",
    version="0.1.0",
    description="Build, train and look inside neural networks without writing code.",
    long_description=(ROOT / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_packages(include=["netlab", "netlab.*", "ui", "ui.*"]),
    py_modules=["main"],
    include_package_data=True,
    install_requires=requirements(),
    entry_points={"console_scripts": ["netlab = main:main"]},
    license="MIT",
)
