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
in order.

Records come in two ways (`load`). The writer's lines come as a typed `Summary`: msgspec reads only the
fields named there, times included, and a batch of them becomes columns in C-level passes
(`_Loading.add_summaries`). Anything else comes as a dict and is read record by record (`_Loading.add`,
the reference). Both make the same table of the same lines. Pure: no I/O.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import accumulate, chain, compress, count, islice, repeat
from operator import attrgetter, eq, is_, is_not, itemgetter, le, ne, or_, sub, xor
from typing import Annotated, Any, Literal, NamedTuple

import msgspec

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
_EXPECTED_CAP = 1 << 20
_BATCH = 1024  # records read together, column by column (in_batches)
_SET_LIMIT = 400_000  # commits up to which a dict finds repeats (~50 MB); above, a flat table (8 bytes a slot)


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


def went_live(gates: object) -> bool:
    """False for an old record of a deploy that failed before going live (see the module's docstring): its
    `gates` show the deploy gate failed and every other gate skipped."""
    if type(gates) is not list:
        return True
    return _went_live((gate.get("name"), gate.get("status")) for gate in gates if type(gate) is dict)


def _went_live(gates: Iterable[tuple[object, object]]) -> bool:
    deploy_failed = others_ran = False
    for name, status in gates:
        if name == "deploy":
            deploy_failed = status == "failed"
        elif status in ("passed", "failed"):
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

    def load(self, batches: Iterable[Sequence[Summary] | Sequence[Mapping[str, Any]]], *,
             service: str | None = None, default_service: str | None = None, expected: int = 0) -> DeployTable:
        """Add the deploys of the records in `batches` (of `service` only, if given), then sort them. Call once.

        A batch is a list of Summary (history.iter_batches with SUMMARY_DECODER: read column by column) or
        of dicts (read one by one). `expected`: about how many deploys to expect (sizes the identity map up
        front, saving its regrowth in Python; capped so a wrong guess costs at most 32 MB).
        """
        loading = _Loading(self, service, default_service, expected)
        for batch in batches:
            if batch and type(batch[0]) is Summary:
                loading.add_summaries(batch)  # type: ignore[arg-type]
            else:
                for record in batch:
                    loading.add(record)  # type: ignore[arg-type]
        del loading  # its identity map (32 MB for a million deploys) is gone before the sort
        self._sort()
        self._lead_values()
        return self

    def _append(self, record: Mapping[str, Any], service_code: int, salt: int, live_at: float, verified_at: float,
                code: int, commit: str, commits: object) -> None:
        """A new deploy's row (the general path: one record)."""
        row = len(self.live)
        self.live.append(live_at)
        self.verified.append(verified_at)
        self.verdict.append(code)
        self.service.append(service_code)
        self.remediation.append(record.get("remediation") is True)
        raw = _sha_bytes(commit)
        if raw is None:
            raw = bytes(_SHA_BYTES)
            self._odd_commits[row] = commit
        self._commits += raw
        if code != PASS:
            self._details[row] = self._detail(record.get("deploy_id"), record.get("failure_reason"))
        count = 0
        for item in commits if type(commits) is list else ():
            if type(item) is not dict:
                continue
            sha = item.get("sha")
            if type(sha) is not str:
                continue
            when = isotime.epoch(item.get("committed_at"))
            if when is None:
                when = isotime.epoch(item.get("authored_at"))
            self.occ_key.append(hash(sha) ^ salt | 1)
            self.occ_when.append(_NO_TIME if when is None else when)
            count += 1
        self.occ_count.append(count)

    def _update(self, row: int, live_at: float, verified_at: float, code: int, fix: object, deploy_id: object,
                reason: object) -> None:
        """Another verification of the deploy in `row`: the latest decides its verdict."""
        self.duplicates += 1
        if live_at < self.live[row]:
            self.live[row] = live_at
        if verified_at < self.verified[row]:
            return
        self.verified[row] = verified_at
        self.verdict[row] = code
        self.remediation[row] = self.remediation[row] or fix is True
        if code == PASS:
            self._details.pop(row, None)
        else:
            self._details[row] = self._detail(deploy_id, reason)

    def _detail(self, deploy_id: object, reason: object) -> tuple[str | None, str | None]:
        """(deploy id, reason) of a deploy that did not pass; the same few reasons come back thousands of
        times: one copy each."""
        return (deploy_id if type(deploy_id) is str else None,
                self._reasons.setdefault(reason, reason) if type(reason) is str else None)

    def _order(self) -> list[int] | None:
        """The rows by (live, verified, commit); None if they are in that order already (the usual case)."""
        live, verified = self.live, self.verified
        n = len(live)
        if all(map(le, live, islice(live, 1, None))) and all(  # C-level passes; ties are few
                self._before(i, i + 1) for i in compress(range(n - 1), map(eq, live, islice(live, 1, None)))):
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
        lead = array("d", map(sub, chain.from_iterable(map(repeat, self.live, self.occ_count)), self.occ_when))
        self.occ_when = array("d")  # in `lead` now: freed before the repeats are looked for
        for occurrence in self._repeats(self.occ_key):
            lead[occurrence] = REPEAT
        self.occ_lead, self.occ_key = lead, array("q")  # the keys are not needed now

    @staticmethod
    def _repeats(keys: array[int]) -> Iterable[int]:
        """The occurrences (positions in `keys`) of a key that came before."""
        if len(keys) <= _SET_LIMIT:  # a dict of the first position of each key, filled in C: ~100 bytes a key
            first: dict[int, int] = {}
            firsts = list(map(first.setdefault, keys, count()))
            return list(compress(count(), map(ne, firsts, count())))
        # a flat table of the keys seen (16 bytes a slot, at most half full: no growth), probed in Python
        size = 1 << max(4, (2 * len(keys)).bit_length())
        seen, mask = array("q", [FREE]) * size, size - 1
        repeats = []
        for occurrence, key in enumerate(keys):
            slot = key & mask
            while True:
                found = seen[slot]
                if found == FREE:
                    seen[slot] = key
                    break
                if found == key:
                    repeats.append(occurrence)
                    break
                slot = (slot + 1) & mask
        return repeats

    def commits_of(self, lo: int, hi: int) -> tuple[int, int]:
        """The slice of the occ_* columns holding the commits of the deploys in rows lo..hi."""
        start = sum(self.occ_count[:lo])
        return start, start + sum(self.occ_count[lo:hi])


def _sha_bytes(commit: str) -> bytes | None:
    """The 20 bytes of a sha in 40 lowercase hex characters; None for any other commit text."""
    if len(commit) != _SHA_HEX or not (commit.islower() or commit.isdigit()):
        return None
    try:
        raw = bytes.fromhex(commit)
    except ValueError:
        return None
    return raw if len(raw) == _SHA_BYTES else None  # fromhex skips spaces: 40 characters with one make fewer


def _deploy_key(deploy_id: object, commit: str, salt: int) -> int:
    """What identifies a deploy: (service, deploy id), or without one (service, commit); odd (IntMap's keys).

    The service enters as its salt: hash(x) ^ salt costs a third of hashing a tuple and collides no more often.
    """
    return (hash(deploy_id) if type(deploy_id) is str and deploy_id else hash(commit) ^ _COMMIT_SALT) ^ salt | 1


# a time with an offset or Z (as the writer writes them); a naive one sends its batch the general way
_Time = Annotated[datetime, msgspec.Meta(tz=True)]


class CommitSummary(msgspec.Struct):
    sha: str
    committed_at: _Time  # git gives every commit one; without it (the author date stands in) the general way


class Summary(msgspec.Struct):
    """What the metrics read of a history record, typed: msgspec reads a line straight into it, times
    included, and skips the rest (most of the line) without making objects of it. A line it does not fit
    (another type, a verdict of another name, a time in another form) is read as a dict, and that batch
    goes the general way (_Loading.add)."""

    timestamp: _Time
    verdict: Literal["pass", "fail", "inconclusive"]
    commit: str
    service: str | None = None
    deploy_id: str | None = None
    deploy_live_at: _Time | None = None
    commits: list[CommitSummary] = []
    remediation: object = None
    failure_reason: object = None
    gates: msgspec.Raw = msgspec.Raw(b"null")  # read only for a deploy that did not pass


class _Gate(msgspec.Struct):
    name: object = None
    status: object = None


SUMMARY_DECODER = msgspec.json.Decoder(Summary)
_GATES_DECODER = msgspec.json.Decoder(list[_Gate])
_GATE_FIELDS = attrgetter("name", "status")


def _summary_went_live(summary: Summary) -> bool:
    """went_live, of the gates of a summary (read only now: for a deploy that did not pass)."""
    try:
        return _went_live(map(_GATE_FIELDS, _GATES_DECODER.decode(summary.gates)))
    except msgspec.ValidationError:  # not a list of objects
        return went_live(msgspec.json.decode(summary.gates))
_SUMMARY_FIELDS = attrgetter("service", "timestamp", "verdict", "deploy_live_at", "commit", "deploy_id",
                             "commits", "remediation")
_COMMIT_TIMES = attrgetter("sha", "committed_at")


def _timestamps(moments: Sequence[datetime | None]) -> list[float | None]:
    """Unix seconds of aware times (None stays None), in one C-level pass where none is None."""
    if None in moments:
        return [None if moment is None else moment.timestamp() for moment in moments]
    return list(map(datetime.timestamp, moments))  # type: ignore[arg-type]


_OUT = (-1, 0)  # the (code, salt) of a service not loaded (`service` asks for another one)


class _Loading:
    """One `DeployTable.load`: the identity of the deploys read so far, and the services seen."""

    def __init__(self, table: DeployTable, only: str | None, default_service: str | None, expected: int) -> None:
        self.table = table
        self.only = only
        self.default_service = default_service
        self.identity = IntMap(max(1024, min(expected, _EXPECTED_CAP)))
        self.services: dict[str | None, tuple[int, int]] = {}  # service -> (its code in the table, its salt)
        self.by_value: dict[str | None, tuple[int, int]] = {}  # a Summary's `service` -> the same, or _OUT

    def service(self, value: object) -> tuple[int, int]:
        """(code, salt) of the service a record's `service` value names: a record without one belongs to
        the default service; _OUT if it is not the service loaded."""
        name = value if type(value) is str and value else self.default_service
        if self.only is not None and name != self.only:
            return _OUT
        info = self.services.get(name)
        if info is None:
            info = self.services[name] = (len(self.table.services), hash((_SALT, name)))
            self.table.services.append(name)
        return info

    def add(self, record: Mapping[str, Any]) -> None:
        """One record as a dict, whatever its shape: the general way, and what add_summaries must equal."""
        table = self.table
        value, timestamp, verdict, live_text, commit, deploy_id, commits, fix = map(record.get, _NAMES)
        service_code, salt = self.service(value)
        if service_code < 0:
            return
        verified_at = isotime.epoch(timestamp)
        code = _CODES.get(verdict) if type(verdict) is str else None
        if code is None:
            name = record_verdict(record)
            code = None if name is None else _CODES[name]
        if verified_at is None or code is None:
            table.unreadable += 1
            return
        live_at = isotime.epoch(live_text)
        if live_at is None or (code != PASS and not went_live(record.get("gates"))):
            table.not_live += 1
            return
        if type(commit) is not str:
            commit = str(commit or "")
        row = self.identity.find_or_add(_deploy_key(deploy_id, commit, salt), len(table))
        if row != len(table):  # another verification of a deploy already read
            table._update(row, live_at, verified_at, code, fix, deploy_id, record.get("failure_reason"))
            return
        table._append(record, service_code, salt, live_at, verified_at, code, commit, commits)

    def add_summaries(self, batch: Sequence[Summary]) -> None:
        """The records of `batch`, column by column in C-level passes: the same deploys, in the same order,
        as `add` makes of the same lines read as dicts (tests/records/test_deploy_table.py holds it to that).
        """
        table = self.table
        n = len(batch)
        values, moments, verdicts, live_moments, commits, deploy_ids, commit_lists, fixes = zip(
            *map(_SUMMARY_FIELDS, batch), strict=True)
        by_value = self.by_value
        if not by_value.keys() >= set(values):
            for value in values:
                if value not in by_value:
                    by_value[value] = self.service(value)
        infos = list(map(by_value.__getitem__, values))
        codes = list(map(_CODES.__getitem__, verdicts))
        verified = list(map(datetime.timestamp, moments))
        live = _timestamps(live_moments)
        # the records loaded: of the service asked for, and of a deploy that went live
        loaded = bytearray(map(is_not, infos, repeat(_OUT)))
        if None in live:
            for index in compress(range(n), loaded):
                if live[index] is None:
                    loaded[index] = 0
                    table.not_live += 1
        for index in compress(range(n), codes):  # did not pass (PASS is 0): the gates tell whether it went live
            if loaded[index] and not _summary_went_live(batch[index]):
                loaded[index] = 0
                table.not_live += 1
        salts = list(map(itemgetter(1), infos))
        # _deploy_key, a column at a time where every record has a deploy id, or none has
        id_types = set(map(type, deploy_ids))
        if id_types == {str} and "" not in deploy_ids:
            keys = list(map(or_, map(xor, map(hash, deploy_ids), salts), repeat(1)))
        elif id_types == {type(None)}:
            keys = list(map(or_, map(xor, map(xor, map(hash, commits), repeat(_COMMIT_SALT)), salts), repeat(1)))
        else:
            keys = list(map(_deploy_key, deploy_ids, commits, salts))
        identity = self.identity
        slots, rows, mask, used = identity.keys, identity.values, identity.mask, identity.used
        new = bytearray(n)  # 1: the record is a new deploy
        updates: list[tuple[int, int]] = []  # (row, index): later verifications of a deploy, applied in order
        base = row = len(table)
        limit = mask >> 1
        for index in compress(range(n), loaded):
            key = keys[index]
            slot = key & mask
            while True:  # identity.find_or_add(key, row), inline: this loop runs once per history line
                found = slots[slot]
                if found == FREE:
                    slots[slot], rows[slot] = key, row
                    new[index] = 1
                    row += 1
                    used += 1
                    if used > limit:  # identity.full
                        identity.used = used
                        identity.grow()
                        slots, rows, mask = identity.keys, identity.values, identity.mask
                        limit = mask >> 1
                    break
                if found == key:
                    updates.append((rows[slot], index))
                    break
                slot = (slot + 1) & mask
        identity.used = used
        every = row - base == n  # every record a new deploy (the usual case): nothing to select
        table.live.extend(live if every else compress(live, new))  # type: ignore[arg-type]
        table.verified.extend(verified if every else compress(verified, new))
        table.verdict.extend(codes if every else compress(codes, new))
        table.service.extend(compress(map(itemgetter(0), infos), new))
        table.remediation.extend(compress(map(is_, fixes, repeat(True)), new))
        self._add_commits(list(compress(commits, new)), base)
        new_lists = commit_lists if every else list(compress(commit_lists, new))
        counts = list(map(len, new_lists))
        table.occ_count.extend(counts)
        items = list(chain.from_iterable(new_lists))
        if items:
            commit_salts = chain.from_iterable(map(repeat, salts if every else compress(salts, new), counts))
            shas, committed = zip(*map(_COMMIT_TIMES, items), strict=True)
            table.occ_key.extend(map(or_, map(xor, map(hash, shas), commit_salts), repeat(1)))
            table.occ_when.extend(map(datetime.timestamp, committed))
        new_rows = range(base, row) if every else dict(zip(compress(range(n), new), count(base)))
        for index in compress(range(n), codes):  # the new deploys that did not pass
            if new[index]:
                table._details[new_rows[index]] = table._detail(deploy_ids[index], batch[index].failure_reason)
        for old_row, index in updates:
            table._update(old_row, live[index], verified[index], codes[index],  # type: ignore[arg-type]
                          fixes[index], deploy_ids[index], batch[index].failure_reason)

    def _add_commits(self, commits: list[str], first_row: int) -> None:
        """The commits of new rows first_row...: 20 bytes each, a hex sha in one C call for all."""
        table = self.table
        hexes = "".join(commits)
        if len(hexes) == _SHA_HEX * len(commits) and (hexes.islower() or hexes.isdigit()):
            try:
                raw = bytes.fromhex(hexes)
            except ValueError:
                raw = b""
            if len(raw) == _SHA_BYTES * len(commits):  # fromhex skips spaces: a sha with one makes fewer
                table._commits += raw
                return
        for row, commit in enumerate(commits, first_row):
            sha = _sha_bytes(commit)
            if sha is None:
                sha = bytes(_SHA_BYTES)
                table._odd_commits[row] = commit
            table._commits += sha


def in_batches(records: Iterable[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    """Records a batch at a time, for `load`."""
    iterator = iter(records)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


def load(batches: Iterable[Sequence[Summary] | Sequence[Mapping[str, Any]]], *, service: str | None = None,
         default_service: str | None = None, expected: int = 0) -> DeployTable:
    return DeployTable().load(batches, service=service, default_service=default_service, expected=expected)
