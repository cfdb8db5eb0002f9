"""The engine: price a basket's lines with the promotions in force (the rules are the
package's: see store_edge.pricing.domain)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from store_edge.pricing.domain.money import CENT, HUNDRED, ZERO, line_amount, round_money
from store_edge.pricing.domain.promotions import (
    EMPTY_BOOK,
    GROUP_KINDS,
    Context,
    Kind,
    Promotion,
    PromotionBook,
)
from store_edge.pricing.domain.tax import TaxLine, TaxRule, tax_for_class

EXACT_SEARCH_LIMIT = 8  # competing promotions searched in every sequence; beyond, a chain
STACKING_SEARCH_LIMIT = 3  # stacking ones with a group among them, searched in every subset


@dataclass(frozen=True, slots=True)
class ManualDiscount:
    """A line discount a supervisor approved: a percentage or an amount, with its reason."""

    reason: str
    approved_by: str
    percent: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class LineInput:
    line_id: str
    sku: str
    quantity: Decimal  # pieces for items sold by the piece, kilograms for weighed items
    unit_price: Decimal
    tax: TaxRule
    category: str = ""
    weighed: bool = False
    embedded_price: Decimal | None = None  # the price printed in the barcode: wins
    override_price: Decimal | None = None  # a manager's unit price
    override_reason: str = ""
    discount: ManualDiscount | None = None


@dataclass(frozen=True, slots=True)
class Adjustment:
    promotion: str  # the promotion's code, or "override" / "discount" for a manager's action
    amount: Decimal  # what the customer saves on this line (positive)
    reason: str


@dataclass(frozen=True, slots=True)
class PricedLine:
    line_id: str
    sku: str
    base_amount: Decimal
    adjustments: tuple[Adjustment, ...]
    amount: Decimal  # after adjustments
    tax_code: str


@dataclass(frozen=True, slots=True)
class PricedBasket:
    lines: tuple[PricedLine, ...]
    taxes: tuple[TaxLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal


@dataclass(slots=True)
class _Unit:
    """One sellable unit of a line (a piece, or a whole weighed line)."""

    line: int  # index into the sorted lines
    sku: str
    category: str
    tax: TaxRule
    price: Decimal  # its share of the line's base amount
    taken: bool = False  # by a promotion that does not stack
    left: Decimal = ZERO  # what remains to pay after promotions so far

    def copy(self) -> _Unit:
        return _Unit(
            self.line, self.sku, self.category, self.tax, self.price, self.taken, self.left
        )


def price_basket(
    lines: Sequence[LineInput],
    *,
    context: Context | None = None,
    book: PromotionBook = EMPTY_BOOK,
) -> PricedBasket:
    """Price a basket: line amounts, adjustments, tax per class per receipt, and totals."""
    ordered = sorted(lines, key=lambda line: (line.sku, line.line_id))
    bases = [_base_amount(line) for line in ordered]
    adjustments: list[list[Adjustment]] = [[] for _ in ordered]
    for index, line in enumerate(ordered):
        if line.override_price is not None and line.embedded_price is None:
            saving = bases[index] - line_amount(
                quantity=line.quantity, unit_price=line.override_price
            )
            if saving:
                adjustments[index].append(
                    Adjustment(
                        "override",
                        saving,
                        f"price override {line.unit_price} → {line.override_price}"
                        + (f": {line.override_reason}" if line.override_reason else ""),
                    )
                )
    if context is not None and book.promotions:
        _item_promotions(ordered, bases, adjustments, context=context, book=book)
        _basket_promotions(ordered, bases, adjustments, context=context, book=book)
    for index, line in enumerate(ordered):
        if line.discount is not None:
            left = bases[index] - sum((a.amount for a in adjustments[index]), ZERO)
            saving = _manual_discount(line.discount, left)
            if saving:
                adjustments[index].append(
                    Adjustment(
                        "discount",
                        saving,
                        f"line discount: {line.discount.reason} (approved by "
                        f"{line.discount.approved_by})",
                    )
                )
    priced = tuple(
        PricedLine(
            line.line_id,
            line.sku,
            bases[i],
            tuple(adjustments[i]),
            bases[i] - sum((a.amount for a in adjustments[i]), ZERO),
            line.tax.code,
        )
        for i, line in enumerate(ordered)
    )
    by_id = {p.line_id: p for p in priced}
    priced = tuple(by_id[line.line_id] for line in lines)  # in the order they were scanned
    taxes = _tax_summary(ordered, priced)
    subtotal = sum((p.base_amount for p in priced), ZERO)
    discount_total = sum((a.amount for p in priced for a in p.adjustments), ZERO)
    tax_total = sum((t.tax for t in taxes), ZERO)
    total = sum((t.gross for t in taxes), ZERO)
    return PricedBasket(priced, taxes, subtotal, discount_total, tax_total, total)


def _base_amount(line: LineInput) -> Decimal:
    if line.embedded_price is not None:
        return line.embedded_price
    return line_amount(quantity=line.quantity, unit_price=line.unit_price)


def _eligible(line: LineInput) -> bool:
    return line.embedded_price is None and line.override_price is None


def _units(lines: Sequence[LineInput], bases: Sequence[Decimal], only: set[int]) -> list[_Unit]:
    """The units of the lines some promotion may apply to (the others need none)."""
    units: list[_Unit] = []
    for index, line in enumerate(lines):
        if index not in only or not _eligible(line):
            continue
        pieces = (
            int(line.quantity) if not line.weighed and line.quantity == int(line.quantity) else 1
        )
        if pieces <= 1:
            units.append(
                _Unit(index, line.sku, line.category, line.tax, bases[index], left=bases[index])
            )
            continue
        shares = _equal_shares(bases[index], pieces)
        units.extend(_Unit(index, line.sku, line.category, line.tax, s, left=s) for s in shares)
    # Most expensive first, so that groups are formed the same way whatever the scan order.
    units.sort(key=lambda u: (-u.price, u.sku, u.line))
    return units


def _equal_shares(amount: Decimal, count: int) -> list[Decimal]:
    """Share `amount` in `count` equal parts in whole cents; the first ones take the rest."""
    each, rest = divmod(int((amount / CENT).to_integral_value()), count)
    return [Decimal(each + 1) * CENT] * rest + [Decimal(each) * CENT] * (count - rest)


def _split(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Share `amount` out in proportion to `weights`, in whole cents (largest remainders).

    No share is negative, and none exceeds its weight when `amount` does not exceed the
    weights' sum: a discount shared over lines never makes a line cost less than nothing.
    """
    if len(weights) == 1:
        return [amount] if weights[0] > 0 else [ZERO]
    total = sum(weights, ZERO)
    cents = int((amount / CENT).to_integral_value())
    if not total or not cents:
        return [ZERO for _ in weights]
    if all(w == weights[0] for w in weights):
        return _equal_shares(amount, len(weights))
    quotas = [cents * w / total for w in weights]
    shares = [int(q) for q in quotas]  # quotas are not negative: int() is the floor
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in by_remainder[: cents - sum(shares)]:
        shares[i] += 1
    return [Decimal(share) * CENT for share in shares]


@dataclass(frozen=True, slots=True)
class _Grant:
    """What one promotion gives to some units in one ordering."""

    promotion: Promotion
    savings: tuple[tuple[int, Decimal], ...]  # (unit index, saving)
    # A promotion that forms groups (3 for 2.50) explains each group apart: the group of
    # each saving (an index into `formed`) when it formed more than one.
    groups: tuple[int, ...] = ()
    # What each group it formed was paid before it: its units' prices (the rewarded ones
    # for buy X get Y), for the explanation (worked out only for the choice recorded).
    formed: tuple[tuple[Decimal, ...], ...] = ()
    # Units a group uses without a saving (the ones bought in "buy 2, get 1 free"): a
    # promotion that does not stack holds them too, so that they earn no second reward.
    holds: tuple[int, ...] = ()


def _item_promotions(  # noqa: C901 - the search over competing promotions, read as one piece
    lines: Sequence[LineInput],
    bases: Sequence[Decimal],
    adjustments: list[list[Adjustment]],
    *,
    context: Context,
    book: PromotionBook,
) -> None:
    live: dict[str, Promotion] = {}
    dead: set[str] = set()
    per_line: dict[int, list[Promotion]] = {}
    for index, line in enumerate(lines):
        if not _eligible(line):
            continue
        found = []
        for promotion in book.candidates(line.sku, line.category):
            if promotion.code in live:
                found.append(promotion)
            elif promotion.code not in dead:
                if promotion.live(
                    at=context.at,
                    store=context.store,
                    member=context.member,
                    coupons=context.coupons,
                    zone=context.zone,
                ):
                    live[promotion.code] = promotion
                    found.append(promotion)
                else:
                    dead.add(promotion.code)
        per_line[index] = found
    if not live:
        return
    promoted = {i for i, found in per_line.items() if found}
    units = _units(lines, bases, only=promoted)
    targeted: dict[str, list[int]] = defaultdict(list)  # most expensive unit first
    for unit_index, unit in enumerate(units):
        for promotion in per_line.get(unit.line, ()):
            targeted[promotion.code].append(unit_index)
    stacking = sorted(
        (p for p in live.values() if p.stackable), key=lambda p: (-p.priority, p.code)
    )
    exclusive = [p for p in live.values() if not p.stackable]
    outside: dict[TaxRule, Decimal] = {}  # what lines that take no promotion add per class
    for index, line in enumerate(lines):
        if index not in promoted:
            amount = bases[index] - sum((a.amount for a in adjustments[index]), ZERO)
            outside[line.tax] = outside.get(line.tax, ZERO) + amount
    totals = _class_totals(units)  # what the basket comes to per class, as it stands
    for rule, amount in outside.items():
        totals[rule] = totals.get(rule, ZERO) + amount
    group_reach = {i for p in stacking if p.kind in GROUP_KINDS for i in targeted[p.code]}

    def under_a_stacking_group(component: list[Promotion]) -> bool:
        return any(not group_reach.isdisjoint(targeted[p.code]) for p in component)

    # Where a stacking group promotion sits on top, what a choice costs depends on the rest
    # of the basket (tax is rounded per class): such choices are made last, on the rest.
    components = sorted(_conflict_groups(exclusive, units, per_line), key=under_a_stacking_group)
    for component in components:
        grants = _best_order(component, units, targeted, stacking, totals, outside, context)
        _record(grants, units, adjustments, exclusive=True)
        for grant in grants:
            for index, saving in grant.savings:
                totals[units[index].tax] -= saving
    for grant in _stacking_grants(units, targeted, stacking, outside, context):
        _record([grant], units, adjustments, exclusive=False)


def _conflict_groups(
    promotions: list[Promotion], units: list[_Unit], per_line: Mapping[int, list[Promotion]]
) -> list[list[Promotion]]:
    """Split promotions into groups that compete for some unit (union-find over units)."""
    parent = {p.code: p.code for p in promotions}

    def root(code: str) -> str:
        while parent[code] != code:
            parent[code] = parent[parent[code]]
            code = parent[code]
        return code

    for line_promotions in per_line.values():
        codes = [p.code for p in line_promotions if p.code in parent]
        for other in codes[1:]:
            parent[root(other)] = root(codes[0])
    groups: dict[str, list[Promotion]] = defaultdict(list)
    for promotion in promotions:
        groups[root(promotion.code)].append(promotion)
    return sorted(groups.values(), key=lambda g: min(p.code for p in g))


def _best_order(  # noqa: PLR0913 - the search's whole state, passed once
    promotions: list[Promotion],
    units: list[_Unit],
    targeted: Mapping[str, list[int]],
    stacking: Sequence[Promotion],
    totals: Mapping[TaxRule, Decimal],
    outside: Mapping[TaxRule, Decimal],
    context: Context,
) -> list[_Grant]:
    """Choose which competing promotions apply, in which order, for the lowest total.

    Up to EXACT_SEARCH_LIMIT competing promotions, every sequence of them is priced (see
    `_search`), so the lowest total found is the lowest of a set of choices that only grows
    when a promotion is added: adding one never raises the total. Beyond the limit, see
    `_chain`.
    """
    by_priority = sorted(promotions, key=lambda p: (-p.priority, p.code))
    per_unit = [p for p in by_priority if p.kind not in GROUP_KINDS]
    concerned_set = {i for p in by_priority for i in targeted[p.code]}
    on_top = [p for p in stacking if not concerned_set.isdisjoint(targeted[p.code])]
    # Stacking promotions priced per unit lower each unit's price the more, the less is
    # left of it: then more savings below them never cost more, and one step needs no
    # search. A stacking group promotion on top can turn that around.
    group_on_top = any(p.kind in GROUP_KINDS for p in on_top)
    groups = [p for p in by_priority if p.kind in GROUP_KINDS]
    if not group_on_top and len(groups) <= 1:
        # Promotions priced per unit do not interact across lines: each line taking its
        # best one is the best for the basket (and lowers every class total the most). A
        # group promotion alone goes first, if per-unit ones do not keep units from it
        # (then the search below decides).
        if not groups:
            return _best_per_line(per_unit, units, targeted)
        if not per_unit:
            return [_apply(groups[0], units, targeted[groups[0].code])]
    if len(by_priority) > EXACT_SEARCH_LIMIT:
        return _chain(promotions, units, targeted, stacking, totals, outside, context)
    for promotion in on_top:  # stacking groups reach units beyond these
        concerned_set.update(targeted[promotion.code])
    concerned = sorted(concerned_set)
    fixed = dict(totals)
    for i in concerned:
        fixed[units[i].tax] -= units[i].left
    return _search(by_priority, per_unit, units, targeted, on_top, concerned, fixed,
                   outside, context, group_on_top=group_on_top)  # fmt: skip


@dataclass(slots=True)
class _Part:
    """Competing promotions of a chain added so far that share lines, and their choice."""

    promotions: list[Promotion]
    lines: set[int]
    groups: int  # how many of them form groups
    grants: dict[int, _Grant] = field(default_factory=dict)  # by id, in the order taken
    settled: bool = True  # its grants are its choice (else chosen for when needed)


# One choice a chain weighs: the grants it drops (ids), the grants it adds, the units it
# changes (new copies).
_Choice = tuple[set[int], list[_Grant], dict[int, _Unit]]


def _chain(  # noqa: PLR0913, C901 - the search's whole state, read as one piece
    promotions: list[Promotion],
    units: list[_Unit],
    targeted: Mapping[str, list[int]],
    stacking: Sequence[Promotion],
    totals: Mapping[TaxRule, Decimal],
    outside: Mapping[TaxRule, Decimal],
    context: Context,
) -> list[_Grant]:
    """Choose for more competing promotions than the search's limit.

    The promotions are added in the order they went live (`Promotion.went_live`). Each one
    joins the promotions it competes with; while they are few enough, they are chosen for
    as the basket would be with only them (the search); beyond, the choice already made
    for them (each group of them apart, as it would be without the newcomer) is kept
    unless the newcomer does better on what is still open, or by taking its units first
    and letting the promotions it displaces take what is left. So the answer is never
    above the answer without the newest promotion: the promotion that goes live last never
    raises the total.
    """
    order = sorted(promotions, key=lambda p: (p.went_live(context.at, context.zone), p.code))
    reach = sorted({i for p in promotions for i in targeted[p.code]})
    line_units: dict[int, list[int]] = defaultdict(list)  # most expensive first
    for i in reach:
        line_units[units[i].line].append(i)
    lines_of = {p.code: {units[i].line for i in targeted[p.code]} for p in promotions}
    per_unit_on: dict[int, list[Promotion]] = defaultdict(list)  # by priority
    for promotion in sorted(promotions, key=lambda p: (-p.priority, p.code)):
        if promotion.kind not in GROUP_KINDS:
            for line in lines_of[promotion.code]:
                per_unit_on[line].append(promotion)
    on_top = [p for p in stacking if not set(reach).isdisjoint(targeted[p.code])]
    under_groups = {units[i].line for p in on_top if p.kind in GROUP_KINDS
                    for i in targeted[p.code]}  # fmt: skip
    concerned = sorted({*reach, *(i for p in on_top for i in targeted[p.code])})
    state = list(units)  # the units as the choices so far leave them
    for i in concerned:
        state[i] = units[i].copy()
    fixed = dict(totals)
    for i in concerned:
        fixed[units[i].tax] -= units[i].left
    shift: dict[TaxRule, Decimal] = defaultdict(Decimal)  # what the choices so far take off
    inclusive = all(rule.inclusive for rule in totals)  # then no tax is added to compare

    def to_pay(changes: Mapping[int, _Unit]) -> Decimal:
        if inclusive and not on_top:  # what is paid moves as the changed units do
            return sum((unit.left - state[i].left for i, unit in changes.items()), ZERO)
        if not on_top:  # only the changed units' classes move
            per_class = {rule: amount + shift[rule] for rule, amount in totals.items()}
            for i, unit in changes.items():
                per_class[unit.tax] += unit.left - state[i].left
            return _to_pay((), per_class)
        trial = list(state)
        for i in concerned:
            trial[i] = changes.get(i, state[i]).copy()
        for grant in _stacking_grants(trial, targeted, on_top, outside, context):
            _take(grant, trial, exclusive=False)
        return _to_pay([trial[i] for i in concerned], fixed)

    owner: dict[int, _Part] = {}
    holder: dict[int, _Grant] = {}  # the grant that holds each unit
    added: set[str] = set()

    def take(part: _Part, gone: set[int], new: list[_Grant], changes: Mapping[int, _Unit]) -> None:
        for key in gone:
            del part.grants[key]
        for i in changes:
            holder.pop(i, None)
        for grant in new:
            part.grants[id(grant)] = grant
            for i in (*(i for i, _ in grant.savings), *grant.holds):
                holder[i] = grant
        for i, unit in changes.items():
            shift[unit.tax] += unit.left - state[i].left
            state[i] = unit

    def settle(part: _Part) -> None:
        """Choose for a part as the basket would be with only its promotions competing
        (the search, or each line its best): needed only once the part is to grow beyond."""
        mine = [i for line in sorted(part.lines) for i in line_units[line]]
        now = {rule: amount + shift[rule] for rule, amount in totals.items()}
        for i in mine:
            now[units[i].tax] -= state[i].left - units[i].left
        found = _best_order(part.promotions, units, targeted, stacking, now, outside, context)
        changes = {i: units[i].copy() for i in mine}
        trial = list(state)
        for i, unit in changes.items():
            trial[i] = unit
        for grant in found:
            _take(grant, trial, exclusive=True)
        take(part, set(part.grants), found, changes)
        part.settled = True

    part = _Part([], set(), 0)
    for promotion in order:
        added.add(promotion.code)
        joined = list({id(p): p for line in lines_of[promotion.code]
                       if (p := owner.get(line)) is not None}.values())  # fmt: skip
        joined.sort(key=lambda p: -len(p.promotions))
        promotions_now = sum(len(p.promotions) for p in joined) + 1
        groups_now = sum(p.groups for p in joined) + (promotion.kind in GROUP_KINDS)
        lines_now = lines_of[promotion.code].union(*(p.lines for p in joined))
        per_unit = promotions_now - groups_now
        simple = not (lines_now & under_groups) and (
            groups_now == 0 or (groups_now == 1 and not per_unit)
        )  # as `_best_order` decides without a search
        searched = simple or promotions_now <= EXACT_SEARCH_LIMIT
        if not searched:
            for other in joined:
                if not other.settled:
                    settle(other)
        part = joined[0] if joined else _Part([], set(), 0)  # the largest grows
        grown = part.lines  # its lines are its already
        for other in joined[1:]:
            part.promotions += other.promotions
            part.grants.update(other.grants)
        part.promotions.append(promotion)
        part.lines, part.groups = lines_now, groups_now
        if searched:
            part.settled = False  # chosen for when it has to be
        else:
            choices = _with_newest(promotion, units, state, targeted, line_units, lines_of,
                                   per_unit_on, added, holder)  # fmt: skip
            priced = [to_pay(changes) for _, _, changes in choices]
            take(part, *choices[priced.index(min(priced))])  # on equal totals, without it
        for line in lines_now - grown:
            owner[line] = part
    return list(part.grants.values())  # the last one added joined them all: they all compete


def _with_newest(  # noqa: PLR0913, C901 - the three choices, read as one piece
    newest: Promotion,
    units: list[_Unit],
    state: list[_Unit],
    targeted: Mapping[str, list[int]],
    line_units: Mapping[int, list[int]],
    lines_of: Mapping[str, set[int]],
    per_unit_on: Mapping[int, list[Promotion]],
    added: set[str],
    holder: Mapping[int, _Grant],
) -> list[_Choice]:
    """The choices a chain weighs when `newest` joins: the choice without it (nothing
    changes), `newest` on what is still open, and `newest` first with the promotions it
    displaces applied again on what is left, then each line it touched taking its best
    per-unit promotion (of those `added`). `holder`: the grant that holds each unit;
    `state` is left as it is."""
    choices: list[_Choice] = [(set(), [], {})]
    if any(i in holder for i in targeted[newest.code]):  # else the second way does more
        grant = _apply(newest, state, targeted[newest.code])
        if grant.savings or grant.holds:
            changes = {i: state[i].copy() for i in (*(i for i, _ in grant.savings), *grant.holds)}
            trial = list(state)
            for i, unit in changes.items():
                trial[i] = unit
            _take(grant, trial, exclusive=True)
            choices.append((set(), [grant], changes))
    trial = list(state)
    for i in targeted[newest.code]:
        trial[i] = units[i]  # as they were before any choice (read, not changed)
    grant = _apply(newest, trial, targeted[newest.code])
    if not (grant.savings or grant.holds):
        return choices
    reset = {i for i, _ in grant.savings} | set(grant.holds)
    gone = {id(holder[i]): holder[i] for i in reset if i in holder}
    for other in gone.values():
        reset.update(i for i, _ in other.savings)
        reset.update(other.holds)
    trial = list(state)
    changes = {i: units[i].copy() for i in reset}
    for i, unit in changes.items():
        trial[i] = unit

    def take(found: _Grant) -> None:
        for i in (*(i for i, _ in found.savings), *found.holds):
            if i not in changes:  # copied before it changes: `state` stays as it is
                changes[i] = trial[i] = state[i].copy()
        _take(found, trial, exclusive=True)

    take(grant)
    new = [grant]
    for other in gone.values():
        if other.promotion.kind in GROUP_KINDS:
            regrant = _apply(other.promotion, trial, targeted[other.promotion.code])
            if regrant.savings or regrant.holds:
                take(regrant)
                new.append(regrant)
    lines = {units[i].line for i in changes if not trial[i].taken and trial[i].left > 0}
    per_unit = list({p.code: p for line in sorted(lines) for p in per_unit_on[line]
                     if p.code in added}.values())  # fmt: skip
    per_unit.sort(key=lambda p: (-p.priority, p.code))
    on_lines = {p.code: [i for line in sorted(lines & lines_of[p.code]) for i in line_units[line]]
                for p in per_unit}  # fmt: skip
    for found in _best_per_line(per_unit, trial, on_lines):
        take(found)
        new.append(found)
    choices.append((set(gone), new, changes))
    return choices


def _search(  # noqa: PLR0913, C901 - the search's whole state, read as one piece
    promotions: list[Promotion],
    per_unit: list[Promotion],
    units: list[_Unit],
    targeted: Mapping[str, list[int]],
    on_top: Sequence[Promotion],
    concerned: list[int],
    fixed: Mapping[TaxRule, Decimal],
    outside: Mapping[TaxRule, Decimal],
    context: Context,
    *,
    group_on_top: bool,
) -> list[_Grant]:
    """The lowest total over every subset of these promotions applied in each of two
    orders (by priority, and by what each saves on the basket alone), each promotion taking
    what is still open to it, then every line taking its best per-unit promotion, with the
    stacking promotions on top.

    Neither order depends on which other promotions compete, so every choice priced with
    a set of promotions is priced again with that set and one more: adding a promotion
    never raises what the search finds. Subsets that leave the units in the same state are
    explored once; on equal totals the first found (the fullest, by priority) stays.
    """
    if group_on_top:  # leaving a per-unit promotion out can then cost the customer less
        steps = promotions
    else:  # a per-unit promotion goes early only to keep a unit from a group promotion
        reach = {i for p in promotions if p.kind in GROUP_KINDS for i in targeted[p.code]}
        steps = [p for p in promotions
                 if p.kind in GROUP_KINDS or not reach.isdisjoint(targeted[p.code])]  # fmt: skip
    alone = {p.code: _saving(_apply(p, units, targeted[p.code])) for p in steps}
    orders = [steps, sorted(steps, key=lambda p: -alone[p.code])]  # stable: ties by priority
    if orders[1] == orders[0]:
        orders.pop()
    # Each choice ends with every line taking its best per-unit promotion; with a stacking
    # group on top, also without that step.
    endings: tuple[Sequence[Promotion], ...] = (per_unit, []) if group_on_top else (per_unit,)
    best: list[_Grant] = []
    best_left: Decimal | None = None
    # A state is what the promotions took so far: each unit is taken once at most, so the
    # set of (unit, saving) names it whatever the order.
    State = frozenset[tuple[int, Decimal]]
    priced: set[State] = set()
    start = list(units)
    for i in concerned:
        start[i] = units[i].copy()
    for order in orders:
        seen: set[tuple[int, State]] = set()
        pending: list[tuple[int, list[_Unit], list[_Grant], State]]
        pending = [(0, start, [], frozenset())]
        while pending:
            index, trial, grants, state = pending.pop()
            if (index, state) in seen:
                continue
            seen.add((index, state))
            if index == len(order):
                if state not in priced:
                    priced.add(state)
                    for ending in endings:
                        done, left = _finish(trial, grants, ending, targeted, on_top,
                                             concerned, fixed, outside, context)  # fmt: skip
                        if best_left is None or left < best_left:
                            best, best_left = done, left
                continue
            promotion = order[index]
            pending.append((index + 1, trial, grants, state))  # without it
            grant = _apply(promotion, trial, targeted[promotion.code])
            if grant.savings or grant.holds:  # with it, explored first
                after = list(trial)
                changes = [*grant.savings, *((i, ZERO) for i in grant.holds)]
                for i, _ in changes:
                    after[i] = trial[i].copy()
                _take(grant, after, exclusive=True)
                pending.append((index + 1, after, [*grants, grant], state | frozenset(changes)))
    return best


def _finish(  # noqa: PLR0913 - the search's whole state, passed once
    trial: list[_Unit],
    grants: list[_Grant],
    per_unit: Sequence[Promotion],
    targeted: Mapping[str, list[int]],
    on_top: Sequence[Promotion],
    concerned: list[int],
    fixed: Mapping[TaxRule, Decimal],
    outside: Mapping[TaxRule, Decimal],
    context: Context,
) -> tuple[list[_Grant], Decimal]:
    """Finish a choice of the search: each line takes its best per-unit promotion, the
    stacking promotions go on top; what the customer pays for the concerned units then."""
    last = _best_per_line(per_unit, trial, targeted) if per_unit else []
    if not on_top:  # nothing more reads the units: sum what is left without copying them
        left = {rule: [amount] for rule, amount in fixed.items()}
        for i in concerned:
            unit = trial[i]
            left.setdefault(unit.tax, []).append(unit.left)
        for grant in last:
            for i, saving in grant.savings:
                left[trial[i].tax].append(-saving)
        return grants + last, _to_pay((), {rule: sum(a, ZERO) for rule, a in left.items()})
    final = list(trial)
    for i in concerned:
        final[i] = trial[i].copy()
    for grant in last:
        _take(grant, final, exclusive=True)
    for grant in _stacking_grants(final, targeted, on_top, outside, context):
        _take(grant, final, exclusive=False)
    return grants + last, _to_pay([final[i] for i in concerned], fixed)


def _best_per_line(
    promotions: Sequence[Promotion], units: list[_Unit], targeted: Mapping[str, list[int]]
) -> list[_Grant]:
    """Give each line the per-unit promotion that saves the most on its free units."""
    per_line: dict[int, list[tuple[Promotion, list[int]]]] = defaultdict(list)
    for promotion in promotions:  # by priority: on equal savings the first stays
        mine: dict[int, list[int]] = defaultdict(list)
        for i in targeted[promotion.code]:
            if not (u := units[i]).taken and u.left > ZERO:
                mine[units[i].line].append(i)
        for line, indexes in mine.items():
            per_line[line].append((promotion, indexes))
    chosen: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    by_code: dict[str, Promotion] = {}
    for line in sorted(per_line):
        candidates = per_line[line]
        if len(candidates) > 1:
            savings = [_per_unit_saving(p, units, indexes) for p, indexes in candidates]
            best_saving = max(savings)
            promotion, indexes = candidates[savings.index(best_saving)]
        else:
            promotion, indexes = candidates[0]
        grant = _apply(promotion, units, indexes)
        if grant.savings:
            chosen[promotion.code] += grant.savings
            by_code[promotion.code] = promotion
    return [_Grant(by_code[code], tuple(savings)) for code, savings in sorted(chosen.items())]


def _per_unit_saving(promotion: Promotion, units: list[_Unit], indexes: list[int]) -> Decimal:
    """What a per-unit promotion saves on these units of one line (as `_apply` grants it)."""
    if promotion.kind is Kind.PERCENT_OFF and promotion.percent is not None:
        return round_money(
            sum((units[i].left for i in indexes), ZERO) * promotion.percent / HUNDRED
        )
    if promotion.kind is Kind.AMOUNT_OFF and promotion.amount is not None:
        return sum((min(promotion.amount, units[i].left) for i in indexes), ZERO)
    if promotion.kind is Kind.MEMBER_PRICE and promotion.price is not None:
        price = promotion.price
        return sum((units[i].left - price for i in indexes if units[i].left > price), ZERO)
    return ZERO


def _stacking_grants(
    units: list[_Unit],
    targeted: Mapping[str, list[int]],
    stacking: Sequence[Promotion],
    outside: Mapping[TaxRule, Decimal],
    context: Context,
) -> list[_Grant]:
    """Apply stacking promotions in priority order, those `_stacking_kept` keeps."""
    kept = _stacking_kept(units, targeted, stacking, outside, context)
    chosen = [p for p in stacking if p.code in kept]
    grants = []
    trial = list(units)
    for i in {i for p in chosen for i in targeted[p.code]}:
        trial[i] = units[i].copy()  # grants are worked out on copies, recorded by the caller
    for promotion in chosen:
        grant = _apply(promotion, trial, targeted[promotion.code], stacking=True)
        _take(grant, trial, exclusive=False)
        if grant.savings:
            grants.append(grant)
    return grants


def _stacking_kept(  # noqa: C901 - the search, then the chain, read as one piece
    units: list[_Unit],
    targeted: Mapping[str, list[int]],
    stacking: Sequence[Promotion],
    outside: Mapping[TaxRule, Decimal],
    context: Context,
) -> set[str]:
    """The stacking promotions that apply. Where one stacks with a group promotion, it can
    make the customer pay more (a percentage on a share of a group price can): those that
    reach a common unit are chosen together. Up to STACKING_SEARCH_LIMIT of them, the
    subset that costs the customer least (ties: the fuller); beyond, they are added in the
    order they went live, each kept only where it does not raise the total. So a stacking
    promotion added never raises it (beyond the limit, the one that went live last)."""
    if len(stacking) < 2 or not any(p.kind in GROUP_KINDS for p in stacking):
        return {p.code for p in stacking}  # each only lowers what is left
    rank = {p.code: n for n, p in enumerate(stacking)}  # the order they apply in
    everything = _class_totals(units)
    for rule, amount in outside.items():
        everything[rule] = everything.get(rule, ZERO) + amount
    priced: dict[tuple[str, ...], Decimal] = {}

    def to_pay(subset: Iterable[Promotion], touched: list[int]) -> Decimal:
        codes = tuple(sorted(p.code for p in subset))
        if codes in priced:  # touched grows only with the codes: the same units
            return priced[codes]
        fixed = dict(everything)
        for i in touched:
            fixed[units[i].tax] -= units[i].left
        trial = list(units)
        for i in touched:
            trial[i] = units[i].copy()
        for promotion in sorted(subset, key=lambda p: rank[p.code]):
            _take(_apply(promotion, trial, targeted[promotion.code], stacking=True), trial,
                  exclusive=False)  # fmt: skip
        priced[codes] = paid = _to_pay([trial[i] for i in touched], fixed)
        return paid

    # Each part: the units its promotions reach, its promotions, those it keeps.
    parts: list[tuple[set[int], list[Promotion], list[Promotion]]] = []
    by_live = sorted(stacking, key=lambda p: (p.went_live(context.at, context.zone), p.code))
    for promotion in by_live:
        reach = set(targeted[promotion.code])
        joined = [part for part in parts if not part[0].isdisjoint(reach)]
        reach = reach.union(*(part[0] for part in joined))
        members = sorted([*(p for part in joined for p in part[1]), promotion],
                         key=lambda p: rank[p.code])  # fmt: skip
        base = [p for part in joined for p in part[2]]
        touched = sorted(reach)
        if not any(p.kind in GROUP_KINDS for p in members):
            kept = members
        elif len(members) <= STACKING_SEARCH_LIMIT:
            kept, least = members, to_pay(members, touched)  # the fullest first
            for size in range(len(members) - 1, -1, -1):
                for subset in combinations(members, size):
                    paid = to_pay(subset, touched)
                    if paid < least:
                        kept, least = list(subset), paid
        else:
            kept = base if to_pay(base, touched) < to_pay([*base, promotion], touched) else [
                *base, promotion]  # fmt: skip
        parts = [part for part in parts if part not in joined] + [(reach, members, kept)]
    return {p.code for part in parts for p in part[2]}


def _class_totals(units: Iterable[_Unit]) -> dict[TaxRule, Decimal]:
    totals: dict[TaxRule, Decimal] = {}
    for unit in units:
        totals[unit.tax] = totals.get(unit.tax, ZERO) + unit.left
    return totals


def _to_pay(units: Iterable[_Unit], fixed: Mapping[TaxRule, Decimal]) -> Decimal:
    """What the customer pays for these units with the rest of the basket as it stands,
    exclusive tax included (rounded per class, as on the receipt)."""
    per_class = dict(fixed)
    for unit in units:
        per_class[unit.tax] = per_class.get(unit.tax, ZERO) + unit.left
    return (
        sum(
            (amount if rule.inclusive else amount + round_money(amount * rule.rate))
            for rule, amount in per_class.items()
        )
        or ZERO
    )


def _saving(grant: _Grant) -> Decimal:
    return sum((s for _, s in grant.savings), ZERO)


def _take(grant: _Grant, units: list[_Unit], *, exclusive: bool) -> None:
    for index, saving in grant.savings:
        units[index].left -= saving
        units[index].taken = units[index].taken or exclusive
    if exclusive:
        for index in grant.holds:
            units[index].taken = True


def _apply(  # noqa: C901 - one branch per promotion kind
    promotion: Promotion, units: list[_Unit], indexes: Sequence[int], *, stacking: bool = False
) -> _Grant:
    """Work out what a promotion gives to the units still open to it (nothing is changed)."""
    # A stacking promotion counts every unit it targets, even one already made free, so that
    # its groups do not depend on what other promotions gave: more promotions, never more
    # to pay.
    if stacking:
        open_units = list(indexes)
    else:
        open_units = [i for i in indexes if not (u := units[i]).taken and u.left > ZERO]
    kind = promotion.kind
    savings: list[tuple[int, Decimal]] = []
    formed: list[tuple[Decimal, ...]] = []  # what each group formed was paid before
    in_group: list[int] = []  # the group of each saving
    holds: list[int] = []
    if kind is Kind.PERCENT_OFF and promotion.percent is not None:
        pct = promotion.percent
        for unit_indexes in _by_line(open_units, units):
            left = sum((units[i].left for i in unit_indexes), ZERO)
            saving = round_money(left * pct / HUNDRED)
            shares = _split(saving, [units[i].left for i in unit_indexes])
            savings += zip(unit_indexes, shares, strict=True)
    elif kind is Kind.AMOUNT_OFF and promotion.amount is not None:
        for i in open_units:
            savings.append((i, min(promotion.amount, units[i].left)))
    elif kind is Kind.MEMBER_PRICE and promotion.price is not None:
        for i in open_units:
            saving = units[i].left - promotion.price
            if saving > 0:
                savings.append((i, saving))
    elif kind in (Kind.MULTI_BUY, Kind.MIX_AND_MATCH) and promotion.price is not None:
        size = promotion.quantity
        for start in range(0, len(open_units) - size + 1 if size > 0 else 0, size):
            group = open_units[start : start + size]
            paid = sum((units[i].left for i in group), ZERO)
            if paid > promotion.price:
                shares = _split(paid - promotion.price, [units[i].left for i in group])
                savings += zip(group, shares, strict=True)
                in_group += [len(formed)] * len(group)
                formed.append(tuple(units[i].left for i in group))
    elif kind is Kind.BUY_X_GET_Y and promotion.quantity > 0 and promotion.get_quantity > 0:
        size = promotion.quantity + promotion.get_quantity
        for start in range(0, len(open_units) - size + 1, size):
            group = open_units[start : start + size]  # most expensive first
            rewarded = group[promotion.quantity :]  # the cheapest are rewarded
            rewards = [round_money(units[i].left * promotion.get_percent / HUNDRED)
                       for i in rewarded]  # fmt: skip
            if not any(rewards):
                continue
            for i, reward_saving in zip(rewarded, rewards, strict=True):
                savings.append((i, reward_saving))
                in_group.append(len(formed))
            holds += group[: promotion.quantity]
            holds += [i for i, r in zip(rewarded, rewards, strict=True) if not r]
            formed.append(tuple(units[i].left for i in rewarded))
    if len(formed) > 1:  # each group explained apart
        kept = [(saving, g) for saving, g in zip(savings, in_group, strict=True) if saving[1] > 0]
        return _Grant(promotion, tuple(s for s, _ in kept), tuple(g for _, g in kept),
                      tuple(formed), tuple(holds))  # fmt: skip
    # A unit a promotion gives nothing stays free for another one.
    return _Grant(promotion, tuple([(i, saving) for i, saving in savings if saving > 0]),
                  formed=tuple(formed), holds=tuple(holds))  # fmt: skip


def _explain(grant: _Grant) -> tuple[str, tuple[str, ...]]:
    """What a grant says on the receipt: its reason, and one per group when it formed
    more than one (each group named, with its own numbers)."""
    promotion = grant.promotion
    kind, name = promotion.kind, promotion.name
    texts: list[str] = []
    if kind is Kind.PERCENT_OFF and promotion.percent is not None:
        reason = f"{name}: {promotion.percent.normalize():f} % off"
    elif kind is Kind.AMOUNT_OFF:
        reason = f"{name}: {promotion.amount} off each"
    elif kind is Kind.MEMBER_PRICE:
        reason = f"{name}: member price {promotion.price}"
    elif kind in (Kind.MULTI_BUY, Kind.MIX_AND_MATCH):
        for paid in grant.formed:
            prices = sorted(set(paid))
            paid_as = (f"{len(paid)} × {prices[0]}" if len(prices) == 1
                       else " + ".join(str(price) for price in paid))  # fmt: skip
            texts.append(f"{promotion.quantity} for {promotion.price}: {paid_as} → "
                         f"{promotion.price}")  # fmt: skip
        reason = f"{name}: {texts[-1]}" if texts else name
    elif kind is Kind.BUY_X_GET_Y:
        reward = ("free" if promotion.get_percent == HUNDRED
                  else f"{promotion.get_percent.normalize():f} % off")  # fmt: skip
        offer = f"buy {promotion.quantity}, get {promotion.get_quantity} {reward}"
        texts = [f"{offer}: " + " + ".join(str(price) for price in paid) + f" {reward}"
                 for paid in grant.formed]  # fmt: skip
        reason = f"{name}: {offer}"
    else:
        reason = name
    if len(texts) > 1:
        count = len(texts)
        return reason, tuple(f"{name} (group {n} of {count}): {text}"
                             for n, text in enumerate(texts, start=1))  # fmt: skip
    return reason, ()


def _by_line(indexes: list[int], units: list[_Unit]) -> list[list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for i in indexes:
        groups[units[i].line].append(i)
    return [groups[line] for line in sorted(groups)]


def _record(
    grants: Iterable[_Grant],
    units: list[_Unit],
    adjustments: list[list[Adjustment]],
    *,
    exclusive: bool,
) -> None:
    for grant in grants:
        _take(grant, units, exclusive=exclusive)
        per_line: dict[tuple[int, int], Decimal] = defaultdict(Decimal)  # (line, group)
        groups = grant.groups or (0,) * len(grant.savings)
        for (index, saving), group in zip(grant.savings, groups, strict=True):
            per_line[units[index].line, group] += saving
        reason, reasons = _explain(grant)
        for (line, group), saving in sorted(per_line.items()):
            if saving:
                text = reasons[group] if reasons else reason
                adjustments[line].append(Adjustment(grant.promotion.code, saving, text))


def _basket_promotions(
    lines: Sequence[LineInput],
    bases: Sequence[Decimal],
    adjustments: list[list[Adjustment]],
    *,
    context: Context,
    book: PromotionBook,
) -> None:
    live = [
        p
        for p in book.basket_level
        if p.live(
            at=context.at,
            store=context.store,
            member=context.member,
            coupons=context.coupons,
            zone=context.zone,
        )
    ]
    if not live:
        return
    spend = sum(bases, ZERO)
    qualifying = [p for p in live if p.threshold is not None and spend >= p.threshold]
    lefts = [
        b - sum((a.amount for a in adj), ZERO) for b, adj in zip(bases, adjustments, strict=True)
    ]
    exclusive = [p for p in qualifying if not p.stackable]
    chosen: list[Promotion] = []
    if exclusive:
        chosen.append(
            max(
                exclusive,
                key=lambda p: (_basket_saving(p, sum(lefts, ZERO)), p.priority, _reverse(p.code)),
            )
        )
    chosen += sorted((p for p in qualifying if p.stackable), key=lambda p: (-p.priority, p.code))
    for promotion in chosen:
        left = sum(lefts, ZERO)
        saving = _basket_saving(promotion, left)
        if not saving:
            continue
        shares = _split(saving, lefts)
        what = (
            f"{promotion.percent.normalize():f} % off"
            if promotion.percent
            else f"{promotion.amount} off"
        )
        reason = f"{promotion.name}: spend {promotion.threshold}, get {what}"
        for index, share in enumerate(shares):
            if share:
                adjustments[index].append(Adjustment(promotion.code, share, reason))
                lefts[index] -= share


def _basket_saving(promotion: Promotion, left: Decimal) -> Decimal:
    if promotion.percent is not None:
        return min(round_money(left * promotion.percent / HUNDRED), left)
    if promotion.amount is not None:
        return min(promotion.amount, left)
    return ZERO


def _reverse(code: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in code)


def _manual_discount(discount: ManualDiscount, left: Decimal) -> Decimal:
    if discount.percent is not None:
        return min(round_money(left * discount.percent / HUNDRED), left)
    if discount.amount is not None:
        return min(discount.amount, left)
    return ZERO


def _tax_summary(lines: Sequence[LineInput], priced: Iterable[PricedLine]) -> tuple[TaxLine, ...]:
    rules = {line.tax.code: line.tax for line in lines}
    per_class: dict[str, Decimal] = {}
    for p in priced:
        per_class[p.tax_code] = per_class.get(p.tax_code, ZERO) + p.amount
    return tuple(
        tax_for_class(rule=rules[code], amount=amount) for code, amount in sorted(per_class.items())
    )


def refund_amount(*, sold: PricedLine, sold_quantity: Decimal, returned: Decimal) -> Decimal:
    """Return what a returned part of a sold line is worth: its share of what was paid."""
    if not Decimal(0) < returned <= sold_quantity:
        raise ValueError("a return takes between 0 and the quantity sold")
    if returned == sold_quantity:
        return sold.amount
    return round_money(sold.amount * returned / sold_quantity)
