""""Hoort bij" chains: several reports of one problem count as one event in detection.

A signal that "hoort bij" an earlier one (`signals.related_to`) is another reporter of the
same problem, not an independent signal. Every method therefore counts each chain once,
at its root (the signal the chain leads back to: its time and place), and lists every
report of the chain in the alert's evidence. Only live signals of the same category form
chains: a link to a deleted signal, or to a signal of another category (a report about a
different problem at the same place), ends the chain there, so the signal still counts in
its own category. The service refuses links that would make a cycle;
should one still arise (two phones linking at once), its smallest id is taken as the root.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Chains:
    #: Each live signal that hoort bij another live one → the root of its chain.
    roots: dict[str, str] = field(default_factory=dict)
    #: Each root → the other reports of its chain (their ids).
    members: dict[str, list[str]] = field(default_factory=dict)

    def counted(self, signal_id: str) -> bool:
        """Whether the signal counts as an event of its own (it is the root of its chain)."""
        return signal_id not in self.roots

    def expand(self, signal_ids: Iterable[str]) -> list[str]:
        """The ids with every report of their chains added (in order, without repeats)."""
        out: dict[str, None] = {}
        for sid in signal_ids:
            out[sid] = None
            for other in self.members.get(self.roots.get(sid, sid), ()):
                out[other] = None
            root = self.roots.get(sid)
            if root is not None:
                out[root] = None
        return list(out)


def load_chains(conn: sqlite3.Connection) -> Chains:
    """The chains among the live signals."""
    parent = {r[0]: r[1] for r in conn.execute(
        "SELECT s.id, s.related_to FROM signals s JOIN signals p ON p.id = s.related_to"
        " WHERE s.related_to IS NOT NULL AND s.deleted = 0 AND p.deleted = 0 AND s.id != p.id"
        " AND s.category = p.category")}
    chains = Chains()
    roots = chains.roots
    for start in parent:
        if start in roots:
            continue
        path, seen, current = [start], {start}, start
        while True:
            if current in roots:
                root = roots[current]
                break
            if current not in parent:
                root = current
                break
            following = parent[current]
            if following in seen:  # a cycle: the smallest id in it is the root
                root = min(path[path.index(following):])
                break
            path.append(following)
            seen.add(following)
            current = following
        for sid in path:
            if sid != root:
                roots[sid] = root
    for sid, root in sorted(roots.items()):
        chains.members.setdefault(root, []).append(sid)
    return chains
