"""The deploys of a history, one row per deploy, kept in columns: a million records fit in ~100 MB.

A *deploy* is identified by (service, deploy id), or without a deploy id (no Render API) by (service,
commit): the first time a commit was seen serving is its deploy. Every later verification of the same
deploy (a blocked push checking production again, a `MOSAIC_FIX` re-check, a background verification)
updates its verdict: the latest verification decides, and the deploy went live at the earliest live time
any of them saw. A record without a service belongs to `default_service` (the configured one), so a
history that predates `RENDER_SERVICE_ID` stays one history.

A verification whose deploy never went live (build failed, timed out) is no deploy: it is counted apart
(`not_live`). Old records wrote a failed build's `finishedAt` as `deploy_live_at`; they are recognised
by their deploy gate failing while every other gate was skipped for it.

Only what the metrics need is kept: per deploy its times, verdict, service and commit (20 bytes for a
hex sha); its deploy id and failure reason only while its verdict is not a pass; per commit it brought,
a 64-bit hash of (service, sha) and its commit time, which become its lead time once the deploys are
in order. Pure: no I/O.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import accumulate
from operator import itemgetter
from typing import Any, NamedTuple

from mosaic_hooks.core import isotime
from mosaic_hooks.records.int_keys import FREE, IntMap

VERDICTS = ("pass", "fail", "inconclusive")
PASS, FAIL, INCONCLUSIVE = 0, 1, 2
_CODES = {verdict: code for code, verdict in enumerate(VERDICTS)}
_NO_TIME = math.nan  # a commit without a commit time
REPEAT = -math.inf  # the lead value of a commit deployed before (to the same service): counted at its first deploy
_SHA_BYTES = 20
_SHA_HEX = 2 * _SHA_BYTES
_SALT = "mosaic-hooks deploy identity"
_COMMIT_SALT = hash("identified by its commit")
_NAMES = ("service", "timestamp", "verdict", "deploy_live_at", "commit", "deploy_id", "commits", "remediation")
_FIELDS = itemgetter(*_NAMES)
_COMMIT_FIELDS = itemgetter("sha", "committed_at")
_EXPECTED_CAP = 1 << 20
_SET_LIMIT = 400_000  # commits up to which a set finds repeats (~28 MB); above, the flat table (16 bytes a slot)


class Deploy(NamedTuple):
    service: str | None
    commit: str
    deploy_id: str | None  # kept for deploys whose verdict is not a pass
    live_at: float  # unix seconds: went live, or first seen serving
    verified_at: float  # when its latest verification finished
    verdict: str  # "pass" | "fail" | "inconclusive"
    reason: str | None
    remediation: bool


def record_verdict(record: Mapping[str, Any]) -> str | None:
    verdict = record.get("verdict")
    if verdict in _CODES:
        return str(verdict)
    success = record.get("success")
    if isinstance(success, bool):
        return "pass" if success else "fail"
    return None


def went_live(record: Mapping[str, Any]) -> bool:
    """False for an old record of a deploy that failed before going live (see the module's docstring)."""
    gates = record.get("gates")
    if type(gates) is not list:
        return True
    deploy_failed = others_ran = False
    for gate in gates:
        if type(gate) is not dict:
            continue
        if gate.get("name") == "deploy":
            deploy_failed = gate.get("status") == "failed"
        elif gate.get("status") in ("passed", "failed"):
            others_ran = True
    return not deploy_failed or others_ran


class DeployTable:
    """The deploys of `records`, deduplicated, sorted by live time (ties: verification time, commit)."""

    def __init__(self) -> None:
        self.services: list[str | None] = []
        self.live = array("d")
        self.verified = array("d")
        self.verdict = array("b")
        self.service = array("I")
        self.remediation = bytearray()
        self.occ_count = array("I")  # per deploy: how many of the occ_* entries (in deploy order) are its commits
        self.occ_key = array("q")  # hash of (service, sha), odd
        self.occ_when = array("d")  # commit time; NaN if unknown
        self.occ_lead = array("d")  # after loading: lead time in seconds, REPEAT, or NaN (see _lead_values)
        self._commits = bytearray()
        self._odd_commits: dict[int, str] = {}  # commits that are not 40 lowercase hex characters
        self._details: dict[int, tuple[str | None, str | None]] = {}  # (deploy id, reason) of deploys not passing
        self._reasons: dict[str, str] = {}  # the same few reasons come back thousands of times: one copy each
        self.not_live = 0  # verifications of a deploy that never went live
        self.unreadable = 0  # records without a readable timestamp or verdict
        self.duplicates = 0  # later (or older) verifications of a deploy already counted

    def __len__(self) -> int:
        return len(self.live)

    # -- reading ------------------------------------------------------------------------------------------

    def commit(self, row: int) -> str:
        odd = self._odd_commits.get(row)
        if odd is not None:
            return odd
        return self._commits[row * _SHA_BYTES:(row + 1) * _SHA_BYTES].hex()

    def service_of(self, row: int) -> str | None:
        return self.services[self.service[row]]

    def deploy(self, row: int) -> Deploy:
        deploy_id, reason = self._details.get(row, (None, None))
        return Deploy(self.service_of(row), self.commit(row), deploy_id, self.live[row], self.verified[row],
                      VERDICTS[self.verdict[row]], reason, bool(self.remediation[row]))

    @property
    def deploys(self) -> list[Deploy]:
        return [self.deploy(row) for row in range(len(self))]

    # -- building -----------------------------------------------------------------------------------------

    def load(self, records: Iterable[Mapping[str, Any]], *, service: str | None = None,
             default_service: str | None = None, expected: int = 0) -> DeployTable:
        """Add the deploys of `records` (of `service` only, if given), then sort them. Call once.

        `expected`: about how many deploys to expect (sizes the identity map up front, saving its regrowth
        in Python; capped so a wrong guess costs at most 32 MB)."""
        identity = IntMap(max(1024, min(expected, _EXPECTED_CAP)))
        id_keys, id_rows, id_mask = identity.keys, identity.values, identity.mask
        # per service: its code and a salt; (service, x) is identified by hash(x) ^ salt, which costs
        # a third of hashing a tuple and collides no more often
        salts: dict[str | None, tuple[int, int]] = {}
        # names bound locally: this loop runs once per history line
        epoch, fromisoformat, fields, commit_fields = isotime.epoch, datetime.fromisoformat, _FIELDS, _COMMIT_FIELDS
        verdict_codes = _CODES
        live, verified, verdicts, services, remediation = (self.live, self.verified, self.verdict, self.service,
                                                            self.remediation)
        occ_count, occ_key, occ_when = self.occ_count, self.occ_key, self.occ_when
        fromhex, odd_commits, commit_bytes = bytes.fromhex, self._odd_commits, self._commits
        no_sha = bytes(_SHA_BYTES)
        for record in records:
            try:  # a record as the writer makes it: every field there, one C call
                record_service, timestamp, verdict, live_text, commit, deploy_id, commits, fix = fields(record)
            except KeyError:
                record_service, timestamp, verdict, live_text, commit, deploy_id, commits, fix = map(record.get,
                                                                                                    _NAMES)
            if type(record_service) is not str or not record_service:
                record_service = default_service
            if service is not None and record_service != service:
                continue
            try:  # the common case costs two C calls; anything else takes the general path
                moment = fromisoformat(timestamp)
                verified_at = moment.timestamp() if moment.tzinfo is not None else epoch(timestamp)
            except (TypeError, ValueError):
                verified_at = epoch(timestamp)
            code = verdict_codes.get(verdict)
            if code is None:
                name = record_verdict(record)
                code = None if name is None else verdict_codes[name]
            if verified_at is None or code is None:
                self.unreadable += 1
                continue
            try:
                moment = fromisoformat(live_text)
                live_at = moment.timestamp() if moment.tzinfo is not None else epoch(live_text)
            except (TypeError, ValueError):
                live_at = epoch(live_text)
            if live_at is None or (code != PASS and not went_live(record)):
                self.not_live += 1
                continue
            if type(commit) is not str:
                commit = str(commit or "")
            service_info = salts.get(record_service)
            if service_info is None:
                service_info = salts[record_service] = (len(self.services), hash((_SALT, record_service)))
                self.services.append(record_service)
            service_code, salt = service_info
            key = (hash(deploy_id) if type(deploy_id) is str and deploy_id else hash(commit) ^ _COMMIT_SALT) ^ salt | 1
            row = len(live)
            slot = key & id_mask
            while True:  # identity.find_or_add(key, row), inline
                found = id_keys[slot]
                if found == FREE:
                    id_keys[slot], id_rows[slot] = key, row
                    identity.used += 1
                    if identity.full:
                        identity.grow()
                        id_keys, id_rows, id_mask = identity.keys, identity.values, identity.mask
                    break
                if found == key:  # another verification of a deploy already read
                    self._update(id_rows[slot], record, live_at, verified_at, code)
                    break
                slot = (slot + 1) & id_mask
            if found == key:
                continue
            live.append(live_at)
            verified.append(verified_at)
            verdicts.append(code)
            services.append(service_code)
            remediation.append(fix is True)
            # the commit: 20 bytes for a sha in lowercase hex (fromhex skips spaces: 40 characters with one
            # make fewer bytes), as text otherwise
            raw = no_sha
            if len(commit) == _SHA_HEX and (commit.islower() or commit.isdigit()):
                try:
                    raw = fromhex(commit)
                except ValueError:
                    raw = no_sha
            if len(raw) != _SHA_BYTES or raw is no_sha:
                raw = no_sha
                odd_commits[row] = commit
            commit_bytes += raw
            if code != PASS:
                self._details[row] = _details(record, self._reasons)
            # the commits it brought
            count = 0
            if type(commits) is list:
                for item in commits:
                    try:
                        sha, committed = commit_fields(item)
                        moment = fromisoformat(committed)
                        when = moment.timestamp() if moment.tzinfo is not None else epoch(committed)
                    except (KeyError, TypeError, ValueError):
                        if type(item) is not dict:
                            continue
                        sha, when = item.get("sha"), epoch(item.get("committed_at"))
                    if type(sha) is not str:
                        continue
                    if when is None:
                        when = epoch(item.get("authored_at"))
                    occ_key.append(hash(sha) ^ salt | 1)
                    occ_when.append(_NO_TIME if when is None else when)
                    count += 1
            occ_count.append(count)
        del identity, id_keys, id_rows  # 32 MB for a million deploys: gone before the next table is made
        self._sort()
        self._lead_values()
        return self

    def _update(self, row: int, record: Mapping[str, Any], live_at: float, verified_at: float, code: int) -> None:
        """Another verification of the deploy in `row`: the latest decides its verdict."""
        self.duplicates += 1
        if live_at < self.live[row]:
            self.live[row] = live_at
        if verified_at < self.verified[row]:
            return
        self.verified[row] = verified_at
        self.verdict[row] = code
        self.remediation[row] = self.remediation[row] or record.get("remediation") is True
        if code == PASS:
            self._details.pop(row, None)
        else:
            self._details[row] = _details(record, self._reasons)

    def _order(self) -> list[int] | None:
        """The rows by (live, verified, commit); None if they are in that order already (the usual case)."""
        live, verified = self.live, self.verified
        n = len(live)
        in_order = all(live[i] < live[i + 1] or (live[i] == live[i + 1] and self._before(i, i + 1))
                       for i in range(n - 1))
        if in_order:
            return None
        order = sorted(range(n), key=live.__getitem__)
        # ties in time are broken by verification time and commit, so every clone orders them the same way
        i = 0
        while i < n:
            j = i + 1
            while j < n and live[order[j]] == live[order[i]]:
                j += 1
            if j - i > 1:
                order[i:j] = sorted(order[i:j], key=lambda row: (verified[row], self.commit(row)))
            i = j
        return order

    def _before(self, a: int, b: int) -> bool:
        return (self.verified[a], self.commit(a)) <= (self.verified[b], self.commit(b))

    def _sort(self) -> None:
        order = self._order()
        if order is None:
            return
        self.live = array("d", (self.live[i] for i in order))
        self.verified = array("d", (self.verified[i] for i in order))
        self.verdict = array("b", (self.verdict[i] for i in order))
        self.service = array("I", (self.service[i] for i in order))
        self.remediation = bytearray(self.remediation[i] for i in order)
        # the commits of each deploy follow the deploys' order, so a period's commits are one slice
        counts, keys, when = self.occ_count, self.occ_key, self.occ_when
        starts = array("q", accumulate(counts, initial=0))
        self.occ_key = array("q", (keys[o] for i in order for o in range(starts[i], starts[i] + counts[i])))
        self.occ_when = array("d", (when[o] for i in order for o in range(starts[i], starts[i] + counts[i])))
        self.occ_count = array("I", (counts[i] for i in order))
        del starts
        commits = self._commits
        self._commits = bytearray(b"".join(commits[i * _SHA_BYTES:(i + 1) * _SHA_BYTES] for i in order))
        new_row = {old: new for new, old in enumerate(order) if old in self._odd_commits or old in self._details}
        self._odd_commits = {new_row[old]: commit for old, commit in self._odd_commits.items()}
        self._details = {new_row[old]: details for old, details in self._details.items()}

    def _lead_values(self) -> None:
        """Turn each commit's commit time into its lead time, in place: live time of its FIRST deploy (to
        that service) minus its commit time; REPEAT for a commit deployed before; NaN without a commit time."""
        keys, lead = self.occ_key, self.occ_when
        if len(keys) <= _SET_LIMIT:
            self._lead_values_by_set()
            return
        size = 1 << max(4, (2 * len(keys)).bit_length())  # at most half full: no growth
        seen, mask = array("q", [FREE]) * size, size - 1
        start = 0
        for live_at, count in zip(self.live, self.occ_count, strict=True):
            end = start + count
            for occurrence in range(start, end):
                key = keys[occurrence]
                slot = key & mask
                while True:
                    found = seen[slot]
                    if found == FREE:
                        seen[slot] = key
                        lead[occurrence] = live_at - lead[occurrence]
                        break
                    if found == key:
                        lead[occurrence] = REPEAT
                        break
                    slot = (slot + 1) & mask
            start = end
        self.occ_lead, self.occ_when, self.occ_key = lead, array("d"), array("q")  # the keys are not needed now

    def _lead_values_by_set(self) -> None:
        """`_lead_values` with a set of the keys seen: twice as fast, ~70 bytes a key (so only for fewer)."""
        keys, lead = self.occ_key, self.occ_when
        seen: set[int] = set()
        add = seen.add
        start = 0
        for live_at, count in zip(self.live, self.occ_count, strict=True):
            end = start + count
            for occurrence in range(start, end):
                key = keys[occurrence]
                if key in seen:
                    lead[occurrence] = REPEAT
                else:
                    add(key)
                    lead[occurrence] = live_at - lead[occurrence]
            start = end
        self.occ_lead, self.occ_when, self.occ_key = lead, array("d"), array("q")

    def commits_of(self, lo: int, hi: int) -> tuple[int, int]:
        """The slice of the occ_* columns holding the commits of the deploys in rows lo..hi."""
        start = sum(self.occ_count[:lo])
        return start, start + sum(self.occ_count[lo:hi])


def _details(record: Mapping[str, Any], reasons: dict[str, str]) -> tuple[str | None, str | None]:
    deploy_id, reason = record.get("deploy_id"), record.get("failure_reason")
    return (deploy_id if type(deploy_id) is str else None,
            reasons.setdefault(reason, reason) if type(reason) is str else None)


def load(records: Iterable[Mapping[str, Any]], *, service: str | None = None,
         default_service: str | None = None, expected: int = 0) -> DeployTable:
    return DeployTable().load(records, service=service, default_service=default_service, expected=expected)
