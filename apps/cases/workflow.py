"""Which moves a case may make, and who may make them: the move table and its rules are
apps.cases.policy's (MOVES, allowed, moves_for), named here too for older imports.

Publishing is not a plain move: it happens only through case_approve, which
applies the changes in the same transaction.
"""

from __future__ import annotations

from apps.cases.policy import MOVES, allowed, moves_for

__all__ = ["MOVES", "allowed", "moves_for"]
