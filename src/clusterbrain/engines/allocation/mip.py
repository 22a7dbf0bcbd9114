"""The core model as a mixed-integer program for HiGHS.

Variables: x[a] ≥ 0 units on arc a (a pair in one capacity bucket); y[p] ∈ {0, 1} whether pair p
is used, only where a rule needs it (unsplittable orders, minimum lots); u[j] ≥ 0 units of order
j left unmet at the penalty. A pair of an unsplittable order with one bucket has no x: its units
are q·y, which keeps a GAP file exactly the textbook model (one binary per job and agent).

    min  Σ c[p]·x + Σ pen[j]·u
    s.t. Σ_{p of j} x + u[j] = q[j]                  (split orders; unsplittable: Σ y + u = 1)
         Σ_{arcs in bucket r} use[p]·x ≤ cap[r]
         L[j]·y[p] ≤ Σ_{a of p} x ≤ max[p]·y[p]      (minimum lot and share cap when split)
         Σ_{a of p} x = q[j]·y[p]                    (unsplittable over several weeks)
         Σ_{p of supplier s} Σ x ≤ volume[s]          (share of the period's volume)
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

import highspy
import numpy as np

from clusterbrain.engines.allocation.core import EPS, CoreModel, CoreResult, CoreSolution


def new_highs() -> highspy.Highs:
    """A silent HiGHS. Its first instance in a process prints a banner from C++ straight to
    file descriptor 1, which would corrupt `--json` output: that one is made with fd 1 closed."""
    global _banner_shown
    if _banner_shown:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True
    h.setOptionValue("output_flag", False)
    return h


_banner_shown = False


@dataclass
class _Columns:
    ycol: np.ndarray  # (P,) column of y[p] or -1
    xcol: np.ndarray  # (A,) column of x[a] or -1 (then the arc is q·y)
    ucol: np.ndarray  # (n,)
    count: int


def _columns(core: CoreModel) -> _Columns:
    unsplit = ~core.splittable[core.pair_order]
    n_arcs = np.diff(core.arc_start)
    need_y = unsplit | (core.min_lot[core.pair_order] > EPS)
    need_x = ~(unsplit & (n_arcs == 1))
    ycol = np.full(core.pairs, -1, dtype=np.int64)
    ycol[need_y] = np.arange(int(need_y.sum()))
    start = int(need_y.sum())
    arc_need_x = need_x[core.arc_pair]
    xcol = np.full(core.arcs, -1, dtype=np.int64)
    xcol[arc_need_x] = start + np.arange(int(arc_need_x.sum()))
    start += int(arc_need_x.sum())
    ucol = start + np.arange(core.orders)
    return _Columns(ycol, xcol, ucol, start + core.orders)


def _colwise_lp(
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    entries: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]],
    row_lo: list[np.ndarray],
    row_hi: list[np.ndarray],
) -> highspy.HighsLp:
    """A HiGHS LP from its columns and its matrix as blocks of (row, column, value) entries,
    in column-wise form (entries sorted by column, then row)."""
    r = np.concatenate(entries[0]).astype(np.int64)
    c = np.concatenate(entries[1]).astype(np.int64)
    v = np.concatenate(entries[2]).astype(float)
    order = np.lexsort((r, c))
    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = sum(len(block) for block in row_lo)
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = np.concatenate(row_lo)
    lp.row_upper_ = np.concatenate(row_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(np.bincount(c, minlength=len(cost)))])
    lp.a_matrix_.index_ = r[order]
    lp.a_matrix_.value_ = v[order]
    return lp


def build_highs(core: CoreModel, relax: bool = False) -> tuple[highspy.Highs, _Columns]:
    cols = _columns(core)
    j_of_p = core.pair_order
    q = core.quantity
    unsplit_p = ~core.splittable[j_of_p]
    unsplit_o = ~core.splittable
    p_of_a = core.arc_pair
    arc_has_x = cols.xcol >= 0
    # each arc's units as (column, factor): x[a]·1, or y[p]·q[j]
    arc_col = np.where(arc_has_x, cols.xcol, cols.ycol[p_of_a])
    arc_factor = np.where(arc_has_x, 1.0, q[j_of_p[p_of_a]])

    cost = np.zeros(cols.count)
    lower = np.zeros(cols.count)
    upper = np.zeros(cols.count)
    integrality = np.zeros(cols.count, dtype=np.uint8)
    has_y = cols.ycol >= 0
    yc = cols.ycol[has_y]
    cost[yc] = np.where(unsplit_p[has_y], core.pair_cost[has_y] * q[j_of_p[has_y]], 0.0)
    upper[yc] = 1.0
    integrality[yc] = 0 if relax else 1
    xc = cols.xcol[arc_has_x]
    pa = p_of_a[arc_has_x]
    cost[xc] = np.where(unsplit_p[pa], 0.0, core.pair_cost[pa])
    upper[xc] = np.minimum(core.pair_max[pa], q[j_of_p[pa]])
    cost[cols.ucol] = np.where(unsplit_o, core.unmet_penalty * q, core.unmet_penalty)
    upper[cols.ucol] = np.where(unsplit_o, 1.0, q)

    rows_r: list[np.ndarray] = []
    rows_c: list[np.ndarray] = []
    rows_v: list[np.ndarray] = []
    row_lo: list[np.ndarray] = []
    row_hi: list[np.ndarray] = []
    n_rows = 0

    def add(r: np.ndarray, c: np.ndarray, v: np.ndarray) -> None:
        rows_r.append(r)
        rows_c.append(c)
        rows_v.append(v)

    # order rows
    y_unsplit = has_y & unsplit_p
    add(j_of_p[y_unsplit], cols.ycol[y_unsplit], np.ones(int(y_unsplit.sum())))
    split_arc = arc_has_x & ~unsplit_p[p_of_a]
    add(j_of_p[p_of_a[split_arc]], cols.xcol[split_arc], np.ones(int(split_arc.sum())))
    add(np.arange(core.orders), cols.ucol, np.ones(core.orders))
    rhs = np.where(unsplit_o, 1.0, q)
    row_lo.append(rhs)
    row_hi.append(rhs)
    n_rows += core.orders
    # capacity rows
    add(n_rows + core.arc_resource, arc_col, core.pair_use[p_of_a] * arc_factor)
    row_lo.append(np.full(core.capacity.size, -np.inf))
    row_hi.append(core.capacity.astype(float))
    n_rows += core.capacity.size
    # linking rows: pairs with both y and x
    link = has_y & (np.diff(core.arc_start) > 0) & ~(unsplit_p & (np.diff(core.arc_start) == 1))
    link_pairs = np.flatnonzero(link)
    link_row = np.full(core.pairs, -1, dtype=np.int64)
    link_row[link_pairs] = n_rows + np.arange(len(link_pairs))
    arcs_link = arc_has_x & link[p_of_a]
    # unsplittable: Σx − q·y = 0; split: Σx − max·y ≤ 0
    add(link_row[p_of_a[arcs_link]], cols.xcol[arcs_link], np.ones(int(arcs_link.sum())))
    coef = np.where(unsplit_p[link_pairs], q[j_of_p[link_pairs]], core.pair_max[link_pairs])
    add(link_row[link_pairs], cols.ycol[link_pairs], -coef)
    row_lo.append(np.where(unsplit_p[link_pairs], 0.0, -np.inf))
    row_hi.append(np.zeros(len(link_pairs)))
    n_rows += len(link_pairs)
    # split with a minimum lot: Σx − L·y ≥ 0
    lot_pairs = link_pairs[~unsplit_p[link_pairs]]
    lot_row = np.full(core.pairs, -1, dtype=np.int64)
    lot_row[lot_pairs] = n_rows + np.arange(len(lot_pairs))
    arcs_lot = arc_has_x & (lot_row[p_of_a] >= 0)
    add(lot_row[p_of_a[arcs_lot]], cols.xcol[arcs_lot], np.ones(int(arcs_lot.sum())))
    add(lot_row[lot_pairs], cols.ycol[lot_pairs], -core.min_lot[j_of_p[lot_pairs]])
    row_lo.append(np.zeros(len(lot_pairs)))
    row_hi.append(np.full(len(lot_pairs), np.inf))
    n_rows += len(lot_pairs)
    # split without y over several weeks, capped below the order: Σx ≤ max
    n_arcs = np.diff(core.arc_start)
    cap_pairs = np.flatnonzero(
        ~has_y & ~unsplit_p & (n_arcs > 1) & (core.pair_max < q[j_of_p] - EPS)
    )
    cap_row = np.full(core.pairs, -1, dtype=np.int64)
    cap_row[cap_pairs] = n_rows + np.arange(len(cap_pairs))
    arcs_cap = arc_has_x & (cap_row[p_of_a] >= 0)
    add(cap_row[p_of_a[arcs_cap]], cols.xcol[arcs_cap], np.ones(int(arcs_cap.sum())))
    row_lo.append(np.full(len(cap_pairs), -np.inf))
    row_hi.append(core.pair_max[cap_pairs].astype(float))
    n_rows += len(cap_pairs)
    # supplier volume over the period
    capped = np.flatnonzero(np.isfinite(core.supplier_volume))
    if len(capped):
        vol_row = np.full(core.suppliers, -1, dtype=np.int64)
        vol_row[capped] = n_rows + np.arange(len(capped))
        rows = vol_row[core.pair_supplier[p_of_a]]
        keep = rows >= 0
        add(rows[keep], arc_col[keep], arc_factor[keep])
        row_lo.append(np.full(len(capped), -np.inf))
        row_hi.append(core.supplier_volume[capped].astype(float))
        n_rows += len(capped)

    lp = _colwise_lp(cost, lower, upper, (rows_r, rows_c, rows_v), row_lo, row_hi)
    if not relax:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous
            for f in integrality.tolist()
        ]
    h = new_highs()
    h.passModel(lp)
    return h, cols


def _values_of(core: CoreModel, cols: _Columns, solution: CoreSolution) -> np.ndarray:
    values = np.zeros(cols.count)
    x = solution.arc_qty
    has_x = cols.xcol >= 0
    values[cols.xcol[has_x]] = x[has_x]
    pq = solution.pair_qty(core)
    has_y = cols.ycol >= 0
    unsplit_p = ~core.splittable[core.pair_order]
    y = np.where(unsplit_p, np.round(pq / core.quantity[core.pair_order]), (pq > EPS).astype(float))
    values[cols.ycol[has_y]] = y[has_y]
    unmet = solution.unmet(core)
    values[cols.ucol] = np.where(core.splittable, unmet, unmet / np.maximum(core.quantity, EPS))
    return values


def _solution_of(core: CoreModel, cols: _Columns, values: np.ndarray) -> CoreSolution:
    has_x = cols.xcol >= 0
    y = np.round(values[np.maximum(cols.ycol, 0)])
    x = np.where(
        has_x,
        values[np.maximum(cols.xcol, 0)],
        y[core.arc_pair] * core.quantity[core.pair_order[core.arc_pair]],
    )
    x = np.maximum(x, 0.0)
    # a pair whose y rounds to 0 holds nothing (HiGHS may leave x at a tolerance above 0)
    used = np.where(cols.ycol >= 0, y > 0.5, True)
    x = np.where(used[core.arc_pair], x, 0.0)
    x[x < 1e-9] = 0.0
    return CoreSolution(x)


def solve_mip(
    core: CoreModel,
    time_limit: float,
    warm_start: CoreSolution | None = None,
    mip_rel_gap: float = 1e-4,
    seed: int = 0,
    relax: bool = False,
) -> CoreResult:
    """Solve with HiGHS; `relax` solves the LP relaxation (its objective is a lower bound)."""
    start = time.monotonic()
    h, cols = build_highs(core, relax=relax)
    h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("random_seed", int(seed))
    if core.integral_objective and mip_rel_gap < 1e-3:
        # every solution's objective is an integer: a gap below 1 proves the optimum
        h.setOptionValue("mip_abs_gap", 1.0 - 1e-6)
    if warm_start is not None and not relax:
        given = highspy.HighsSolution()
        given.col_value = _values_of(core, cols, warm_start).tolist()
        given.value_valid = True
        h.setSolution(given)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    seconds = time.monotonic() - start
    has_value = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if relax:
        bound = (
            info.objective_function_value if status == highspy.HighsModelStatus.kOptimal else None
        )
        return CoreResult(
            solution=CoreSolution(np.zeros(core.arcs)),
            objective=float("nan"),
            best_bound=bound,
            status="optimal" if bound is not None else "limit",
            seconds=seconds,
            method="lp",
        )
    if has_value:
        solution = _solution_of(core, cols, np.asarray(h.getSolution().col_value))
    elif warm_start is not None:
        solution = warm_start
    else:
        solution = CoreSolution(np.zeros(core.arcs))
    bound = float(info.mip_dual_bound)
    objective = solution.objective(core)
    if warm_start is not None and solution.violations(core) and not warm_start.violations(core):
        solution, objective = warm_start, warm_start.objective(core)
    return CoreResult(
        solution=solution,
        objective=objective,
        best_bound=bound if np.isfinite(bound) else None,
        status="optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible",
        seconds=seconds,
        method="mip",
    )


@dataclass
class Relaxation:
    bound: float | None  # the LP optimum: a lower bound of the MIP (None if not solved)
    pair_rc: np.ndarray  # (P,) reduced cost of using each pair, at the LP optimum
    seconds: float
    arc_qty: np.ndarray | None = None  # (A,) the LP's units per arc (compact form only)
    # (P,) the LP's share of each order on each pair (models of binary pairs only): the tabu
    # search starts from each order's largest share, nearly feasible and at the bound's cost
    pair_share: np.ndarray | None = None
    # (n,) the dual price of each order's row (models of binary pairs only): the Lagrangian
    # bound's subgradient ascent starts there
    order_dual: np.ndarray | None = None


def lp_relaxation(core: CoreModel, time_limit: float) -> Relaxation:
    """The LP relaxation: its optimum bounds every solution from below, and a pair's reduced
    cost is the least the objective rises when the pair is used (for a binary y).

    A GAP file (every pair one binary) is solved as built for the MIP. Otherwise the LP is
    solved in its compact form (`build_compact_lp`): the same optimum without the y columns
    and their rows, a quarter of the rows at the cluster's size and about four times faster."""
    start = time.monotonic()
    binary_only = ~core.splittable[core.pair_order] & (np.diff(core.arc_start) == 1)
    if core.pairs and not binary_only.all():
        return _compact_relaxation(core, time_limit, start)
    h, cols = build_highs(core, relax=True)
    h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    h.run()
    pair_rc = np.zeros(core.pairs)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return Relaxation(None, pair_rc, time.monotonic() - start)
    rc = np.asarray(h.getSolution().col_dual)
    has_y = cols.ycol >= 0
    pair_rc[has_y] = rc[cols.ycol[has_y]]
    share = dual = None
    if has_y.all():
        share = np.asarray(h.getSolution().col_value)[cols.ycol]
        dual = np.asarray(h.getSolution().row_dual)[: core.orders]
    has_x = cols.xcol >= 0
    if has_x.any():
        arc_rc = np.full(core.arcs, np.inf)
        arc_rc[has_x] = rc[cols.xcol[has_x]]
        best = np.minimum.reduceat(arc_rc, core.arc_start[:-1])
        q = core.quantity[core.pair_order]
        pair_rc += np.where(np.isfinite(best), np.maximum(best, 0.0) * q, 0.0)
    bound = float(h.getInfo().objective_function_value)
    return Relaxation(
        bound,
        np.maximum(pair_rc, 0.0),
        time.monotonic() - start,
        pair_share=share,
        order_dual=dual,
    )


def build_compact_lp(core: CoreModel) -> highspy.Highs:
    """The LP relaxation with units per arc and unmet units per order only.

    In the relaxation the y of a pair adds nothing: with y = Σx / max, L·y ≤ Σx ≤ max·y holds
    for every Σx ≤ max, and an unsplittable order's Σ_p q·y_p + q·u = q is Σ_p Σx + u = q in
    units. So: min Σ c·x + Σ pen·u over x ≤ min(max, q), the order rows in units, the bucket
    and volume rows, and Σx ≤ max only where a pair spans several weeks below the order's
    quantity (a single arc has it as its bound). Columns: arcs, then orders."""
    n_arc, n = core.arcs, core.orders
    p_of_a = core.arc_pair
    j_of_p = core.pair_order
    q = core.quantity
    count = n_arc + n
    cost = np.concatenate([core.pair_cost[p_of_a], core.unmet_penalty])
    upper = np.concatenate([np.minimum(core.pair_max, q[j_of_p])[p_of_a], q])
    arcs = np.arange(n_arc)
    rows_r = [j_of_p[p_of_a], np.arange(n)]
    rows_c = [arcs, n_arc + np.arange(n)]
    rows_v = [np.ones(n_arc), np.ones(n)]
    row_lo = [q.astype(float)]
    row_hi = [q.astype(float)]
    n_rows = n
    rows_r.append(n_rows + core.arc_resource)
    rows_c.append(arcs)
    rows_v.append(core.pair_use[p_of_a])
    row_lo.append(np.full(core.capacity.size, -np.inf))
    row_hi.append(core.capacity.astype(float))
    n_rows += core.capacity.size
    capped_pairs = np.flatnonzero((np.diff(core.arc_start) > 1) & (core.pair_max < q[j_of_p] - EPS))
    pair_row = np.full(core.pairs, -1, dtype=np.int64)
    pair_row[capped_pairs] = n_rows + np.arange(len(capped_pairs))
    on = pair_row[p_of_a] >= 0
    rows_r.append(pair_row[p_of_a][on])
    rows_c.append(arcs[on])
    rows_v.append(np.ones(int(on.sum())))
    row_lo.append(np.full(len(capped_pairs), -np.inf))
    row_hi.append(core.pair_max[capped_pairs].astype(float))
    n_rows += len(capped_pairs)
    capped = np.flatnonzero(np.isfinite(core.supplier_volume))
    if len(capped):
        vol_row = np.full(core.suppliers, -1, dtype=np.int64)
        vol_row[capped] = n_rows + np.arange(len(capped))
        rows = vol_row[core.pair_supplier[p_of_a]]
        keep = rows >= 0
        rows_r.append(rows[keep])
        rows_c.append(arcs[keep])
        rows_v.append(np.ones(int(keep.sum())))
        row_lo.append(np.full(len(capped), -np.inf))
        row_hi.append(core.supplier_volume[capped].astype(float))
        n_rows += len(capped)
    lp = _colwise_lp(cost, np.zeros(count), upper, (rows_r, rows_c, rows_v), row_lo, row_hi)
    h = new_highs()
    h.passModel(lp)
    return h


def _compact_relaxation(core: CoreModel, time_limit: float, start: float) -> Relaxation:
    h = build_compact_lp(core)
    h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    h.setOptionValue("solver", "simplex")
    h.run()
    pair_rc = np.zeros(core.pairs)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return Relaxation(None, pair_rc, time.monotonic() - start)
    arc_rc = np.asarray(h.getSolution().col_dual)[: core.arcs]
    if core.arcs:
        # using a pair costs at least its cheapest week's reduced cost on every unit
        best = np.minimum.reduceat(arc_rc, core.arc_start[:-1])
        pair_rc = np.maximum(best, 0.0) * core.quantity[core.pair_order]
    bound = float(h.getInfo().objective_function_value)
    arc_qty = np.asarray(h.getSolution().col_value)[: core.arcs]
    return Relaxation(bound, pair_rc, time.monotonic() - start, arc_qty)
