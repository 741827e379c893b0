"""Declarative rule files (TOML) shipped with scan, installed as ``scanner.rulefiles``.

This package holds data only; :mod:`scanner.rules` finds and reads it, from the
source tree or from the installed wheel alike.
"""
