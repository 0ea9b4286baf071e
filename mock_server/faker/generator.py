"""Realistic, deterministic fake records and values, driven by the documents' JSON schemas.

A value comes from, in this order: the property's `x-faker` hint, the property's name (and the kind of
record it sits in: a person, a company, a deal, a task, a label such as a stage or a tag), and finally
the JSON schema itself (enum, const, type, format, pattern, bounds). Whatever the first two produce is
kept only when it fits the schema, so every value validates.

What a schema and its names say is compiled once into a plan (plan.py); a record is generated from the
plan. Everything random comes from one seeded source (sources.py): the same seed and the same sequence of
calls give identical data.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from crmspec import dotted
from crmspec.model import Resource
from crmspec.schemas import nullable
from mock_server.faker.context import RecordContext
from mock_server.faker.histories import Histories, NoDraws, ancestor_created, is_time_of_day, moment_in
from mock_server.faker.miss import MISS
from mock_server.faker.plan import MAX_DEPTH, Field, Fields, Planner, ResourcePlan, Status, names_a_company
from mock_server.faker.realistic import Realistic
from mock_server.faker.schema_reading import object_branch, remove, schema_at
from mock_server.faker.schema_values import SchemaValues
from mock_server.faker.sources import Sources
from mock_server.faker.states import agree_with_status, states
from mock_server.faker.validity import Check
from mock_server.faker.vocabulary import TAGS
from mock_server.faker.wording import kind_of, label_states

Pick = Callable[[str], Mapping[str, Any] | None]  # a picked record is read, never changed nor kept


class FakeData:
    """Fake records for the resources of a document, and fake values for request bodies."""

    def __init__(
        self,
        seed: int,
        today: dt.date | None = None,
        id_fields: Mapping[str, str] | None = None,
        null_rate: float = 0.05,
    ) -> None:
        self.seed = seed
        self.sources = Sources(seed, today)
        self.today = self.sources.today
        self.rng = self.sources.rng
        self.id_fields = dict(id_fields or {})
        self.null_rate = null_rate
        self.realistic = Realistic(self.sources)
        self.schema_values = SchemaValues(self.realistic)
        self.histories = Histories(self.rng, self.sources.now)
        self._histories_without_draws = Histories(NoDraws(), self.sources.now)
        self.planner = Planner(self.id_fields)
        self._pick: Pick | None = None  # during record(): resolves `tag_ids`-like fields too

    # --- the interface ---------------------------------------------------------------------------

    def records(self, resource: Resource, pick: Pick, indexes: Iterable[int]) -> list[dict[str, Any]]:
        """New records for `resource`, one per index, as record() makes them; a nested resource's record
        then points at a parent `pick` returns (after its own references were picked)."""
        plan = self.planner.resource(resource)
        made = []
        for index in indexes:
            record = self._record(plan, pick, index)
            if plan.parent is not None:
                field, parent_resource, parent_id = plan.parent
                parent = pick(parent_resource)
                if parent is not None:
                    record[field] = parent[parent_id]
            made.append(record)
        return made

    def random_states(self) -> list[Any]:
        """The states of every random source the generator draws from: restored, the generator goes on as
        it would have from here (plans and caches change no value)."""
        return [source.getstate() for source in self.sources.randoms()]

    def restore_random_states(self, states: list[Any]) -> None:
        for source, state in zip(self.sources.randoms(), states, strict=True):
            source.setstate(state)

    def picks_from(self, resource: Resource) -> frozenset[str]:
        """The resources a record of `resource` may pick records of (its own included, for a company's
        `parent_company_id`): a batch of records that picks its own sees none of the batch."""
        return self.planner.resource(resource).targets

    def record(self, resource: Resource, pick: Pick, index: int = 0) -> dict[str, Any]:
        """A new record for `resource` without its id field; references point at records `pick` returns."""
        return self._record(self.planner.resource(resource), pick, index)

    def settle(self, resource: Resource, record: dict[str, Any], lookup: Callable[[str, Any], Any],
               draws: bool = True) -> None:
        """Put the dates of `record` in order again after the API's own write rules changed its state (a
        YSUITE deal moved to its pipeline's first stage is no longer closed). `lookup(resource, id)` finds
        the labels it references. `draws=False`: raise histories.WouldDraw, the record unchanged, rather
        than draw from the random source (a date out of order is the only reason to draw, and to change it)."""
        plan = self.planner.resource(resource)
        known: dict[str, bool] = {}
        for reference in plan.labels:
            target_id = dotted.get(record, reference.field)
            if target_id is not None:
                target = lookup(reference.resource, target_id)
                name = dotted.get(target, "name") if isinstance(target, Mapping) else None
                for state, on in label_states(name).items():
                    known[state] = known.get(state, False) or on
        histories = self.histories if draws else self._histories_without_draws
        histories.settle(record, states(record, plan.fields.status, known))

    def value(self, name: str, schema: dict[str, Any], *, request: bool = False) -> Any:
        """One fake value for a property `name` with JSON schema `schema`. Objects leave out the optional
        properties their direction never carries: `writeOnly` ones in a response (the default),
        `readOnly` ones in a request body (`request=True`)."""
        title = str(schema.get("title") or "")
        ctx = RecordContext(self.sources, kind_of(name, title), 0, unique=False, label_hint=name)
        return self._generate(self.planner.field(name, schema), ctx, 0, True, "readOnly" if request else "writeOnly")

    # --- a record ----------------------------------------------------------------------------------

    def _record(self, plan: ResourcePlan, pick: Pick, index: int) -> dict[str, Any]:
        resource = plan.resource
        ctx = RecordContext(self.sources, plan.kind, index, unique=True, label_hint=resource.name)
        assigned, known, cleared, unnamed = self._references(plan, pick, ctx)
        top_assigned = {f: v for f, v in assigned.items() if "." not in f}
        for field, value in top_assigned.items():
            ctx.values[field] = value
            if names_a_company(field):
                ctx.learn_company(value)
        skip = {resource.id_field, *top_assigned, *(f for f in cleared if "." not in f)}
        containers = [f.split(".")[0] for f in assigned if "." in f]  # never null: a reference goes inside
        self._pick = pick
        try:
            record = self._object_values(plan.fields, [*plan.required, *containers], ctx, 0, omit="", skip=skip)
        finally:
            self._pick = None
        for field, value in assigned.items():
            if "." in field or field in plan.properties or not plan.closed:
                dotted.put(record, field, value)
        for field in cleared:
            self._clear(record, plan.schema, field)
        for field in unnamed:  # a display name without its record: null, else left out unless required
            sub = schema_at(plan.schema, field)
            if sub is not None and nullable(sub):
                dotted.put(record, field, None)
            elif "." in field or field not in plan.required:
                remove(record, field)
        active = agree_with_status(record, plan.fields.status, plan.required, ctx.kind, known)
        self._moments_of_states(record, plan.fields.status, active, ctx, 0)
        self.histories.settle(record, active)
        return {name: record[name] for name in [*plan.properties, *record] if name in record}

    def _references(self, plan: ResourcePlan, pick: Pick, ctx: RecordContext
                    ) -> tuple[dict[str, Any], dict[str, bool], list[str], list[str]]:
        """What the record's references take from the records `pick` returns: the values to assign, the
        states its labels put it in, the references without a target and the display names they lose."""
        assigned: dict[str, Any] = {}
        known: dict[str, bool] = {}  # states the labels it references put it in
        cleared: list[str] = []  # references whose target does not exist
        unnamed: list[str] = []  # the display names they would have copied
        for reference, target_kind in plan.references:
            target = pick(reference.resource)
            if target is None:
                cleared.append(reference.field)
                unnamed.extend(reference.names)
                continue
            id_field = self.id_fields.get(reference.resource, "id")
            # its `id` is read only when it has no id field (what seeding_aside.Unseen lets a child read)
            assigned[reference.field] = target[id_field] if id_field in target else target.get("id")
            for field, source in reference.names.items():
                assigned[field] = copy.deepcopy(dotted.get(target, source))  # the record's own, not the pick's
            if target_kind == "label":  # a deal in the stage "Closed" is closed
                for state, on in label_states(dotted.get(target, "name")).items():
                    known[state] = known.get(state, False) or on
            if target_kind == "company":
                ctx.learn_company(dotted.get(target, "name") or dotted.get(target, "company_name"))
        return assigned, known, cleared, unnamed

    def _clear(self, record: dict[str, Any], schema: Mapping[str, Any], field: str) -> None:
        """A reference (or a name copied from it) whose target does not exist: null, else left out."""
        sub = schema_at(schema, field)
        if sub is None:
            remove(record, field)
            return
        if nullable(sub):
            dotted.put(record, field, None)
            return
        if "." in field:
            container, _, leaf = field.rpartition(".")
            container_schema = schema_at(schema, container)
            needed = object_branch(container_schema).get("required") or () if container_schema else ()
            if container_schema is not None and leaf in needed:
                if nullable(container_schema):
                    dotted.put(record, container, None)
                else:
                    remove(record, container)
                return
        remove(record, field)

    def _moments_of_states(self, record: dict[str, Any], status: Status, active: Mapping[str, bool],
                           ctx: RecordContext, depth: int) -> None:
        """A record in a state has the moment it entered it: a completed task its `completed_at`, a won deal
        its `won_date` (never left null at random)."""
        for prop, state, field in status.moments:
            if prop in record and record[prop] is None and active.get(state):
                record[prop] = self._generate(field, ctx, depth, True, "")

    # --- a value -------------------------------------------------------------------------------------

    def _generate(self, field: Field, ctx: RecordContext, depth: int, required: bool, omit: str) -> Any:
        if field.scalar:  # the most common case first: the checks below, only those that apply
            if field.may_be_null and not required and self.rng.random() < self.null_rate and not field.identity:
                return None
            return self._scalar(field, ctx)
        if field.const is not MISS:
            return field.const
        if field.branch_key is not None:
            return self._choose_branch(field, ctx, depth, required, omit)
        if field.enum:
            if field.enum_has_null and not required and self.rng.random() < self.null_rate:
                return None
            return self.rng.choice(field.enum_options)
        if field.only_null:
            return None
        if field.may_be_null and not required and self.rng.random() < self.null_rate and not field.identity:
            return None
        if field.kind == "object":
            return self._object(field, ctx, depth, omit)
        if field.kind == "array":
            return self._array(field, ctx, depth, omit)
        return self._scalar(field, ctx)

    def _object(self, field: Field, ctx: RecordContext, depth: int, omit: str) -> dict[str, Any]:
        if depth >= MAX_DEPTH:
            return {}
        fields = field.object
        child = ctx.child(field.child_kind, field.name)
        made = self._object_values(fields, fields.required, child, depth + 1, omit)
        active = agree_with_status(made, fields.status, fields.required, child.kind)
        self._moments_of_states(made, fields.status, active, child, depth + 1)
        self.histories.settle(made, active, ancestor_created(child.ancestors_moments()))
        return made

    def _object_values(self, fields: Fields, required: list[str], ctx: RecordContext, depth: int, omit: str,
                       skip: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for prop, field in fields.order:
            if prop in skip or (omit and field.source.get(omit) and prop not in required):
                continue
            values[prop] = ctx.values[prop] = self._generate(field, ctx, depth, prop in required, omit)
        return {prop: values[prop] for prop in fields.properties if prop in values}

    def _scalar(self, field: Field, ctx: RecordContext) -> Any:
        kind, schema, fit = field.kind, field.schema, self.schema_values.fit
        if field.display_name:
            own = next((ctx.values[k] for k in ("name", "title") if isinstance(ctx.values.get(k), str)), None)
            fitted = fit(own, schema, kind) if own else MISS
            if fitted is not MISS and field.valid(fitted):
                return fitted
        if field.referenced is not None and self._pick is not None:
            picked = self._picked_id(field.referenced, field.check)
            if picked is not MISS:
                return picked
            if field.may_be_null:
                return None
        for maker in field.makers:
            value = maker(self.realistic, field.name, schema, kind, ctx)
            if field.plain_text:  # what fit() would do to it: keep a string, refuse anything else
                value = value if isinstance(value, str) else MISS
            else:
                value = fit(value, schema, kind)
            if value is not MISS and field.check(value):
                return self._remember(field.name, value, ctx)
        return self._remember(field.name, self.schema_values.from_schema(field, ctx), ctx)

    def _array(self, field: Field, ctx: RecordContext, depth: int, omit: str) -> list[Any]:
        items = field.array
        if items.high <= 0:
            return []
        count = self.rng.randint(max(items.low, 1), max(items.low, 1, min(items.high, 3)))
        if items.tags:
            fit = self.schema_values.fit
            candidate = [fit(w, items.items, "string") for w in self.rng.sample(TAGS, min(count, len(TAGS)))]
            if all(c is not MISS for c in candidate) and field.valid(candidate):
                return candidate
        referenced = items.referenced if self._pick is not None and not items.of_records else None

        def one() -> Any:
            return self._generate(items.item, ctx.child(items.child_kind, items.singular), depth + 1, True, omit)

        out: list[Any] = []
        for _ in range(count * 4):
            if len(out) >= count:
                break
            item = self._picked_id(referenced, items.check) if referenced is not None else MISS
            if item is MISS:
                item = one()
            if items.unique and item in out:
                continue
            out.append(item)
        while len(out) < items.low:  # unique items ran short: repeat-free padding is the schema's problem
            out.append(one())
        return out

    def _choose_branch(self, field: Field, ctx: RecordContext, depth: int, required: bool, omit: str) -> Any:
        if not required and field.nullable and self.rng.random() < self.null_rate and not field.identity:
            return None
        value: Any = None
        for _ in range(2):  # the first non-null branch is the usual one; the others when it does not fit
            for branch in field.branches:
                value = self._generate(branch, ctx, depth, True, omit)
                if field.valid(value):
                    return value
        return value

    def _picked_id(self, resource: str, valid: Check) -> Any:
        if self._pick is None:
            return MISS
        target = self._pick(resource)
        if not isinstance(target, Mapping):
            return MISS
        value = target.get(self.id_fields.get(resource, "id"))
        return value if value is not None and valid(value) else MISS

    def _remember(self, name: str, value: Any, ctx: RecordContext) -> Any:
        """A date or time the record now holds, for the fields generated after it (an end after its start)."""
        if not isinstance(value, str) or not value[:1].isdecimal():  # neither a moment nor a time of day
            return value
        moment = moment_in(value)
        if moment is not None:
            ctx.moments[name] = moment
        elif is_time_of_day(value):
            hour, minute = int(value[:2]), int(value[3:5])
            ctx.moments[name] = dt.datetime.combine(self.today, dt.time(hour, minute), tzinfo=dt.UTC)
        return value
