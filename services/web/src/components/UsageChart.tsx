import type { UsagePoint } from '../app/types';
import { formatCount } from '../domain/format';

/** Geometry of the chart: one bar per month, scaled to the largest of usage and limit. */
export function chartScale(items: readonly UsagePoint[]): number {
  return Math.max(1, ...items.map((i) => Math.max(i.apiCalls, Number(i.limit))));
}

/**
 * Monthly usage as an SVG bar chart: the included part of each bar in blue, the overage part above the
 * limit in red (with a hatched pattern, so colour is not the only cue), the monthly limit as a dashed
 * line (it follows the terms in force each month). The figures are also in a table below the chart.
 */
export function UsageChart({ items }: { items: readonly UsagePoint[] }) {
  const width = 720;
  const height = 260;
  const pad = { left: 70, right: 10, top: 10, bottom: 40 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = chartScale(items);
  const y = (v: number) => pad.top + plotH - (v / max) * plotH;
  const slot = plotW / Math.max(1, items.length);
  const barW = Math.max(4, slot * 0.6);
  const over = items.filter((i) => i.overageUnits > 0).length;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(max * f));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Monthly API calls for ${items.length} months with the monthly limit; ${over} months above the limit`} preserveAspectRatio="xMidYMid meet">
        <defs>
          <pattern id="overage-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" fill="#c62828" />
            <line x1="0" y1="0" x2="0" y2="6" stroke="#ff8a80" strokeWidth="3" />
          </pattern>
        </defs>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.left} x2={width - pad.right} y1={y(t)} y2={y(t)} stroke="#e0e0e0" />
            <text x={pad.left - 6} y={y(t) + 4} textAnchor="end" fontSize="11" fill="#555">
              {formatCount(t)}
            </text>
          </g>
        ))}
        {items.map((item, i) => {
          const x = pad.left + i * slot + (slot - barW) / 2;
          const limit = Number(item.limit);
          const included = Math.min(item.apiCalls, limit);
          return (
            <g key={item.period} data-period={item.period} data-overage={item.overageUnits > 0 ? 'true' : 'false'}>
              <title>{`${item.period}: ${formatCount(item.apiCalls)} calls, limit ${formatCount(limit)}, overage ${formatCount(item.overageUnits)}`}</title>
              <rect x={x} y={y(included)} width={barW} height={y(0) - y(included)} fill="#1565c0" />
              {item.overageUnits > 0 ? <rect className="overage" x={x} y={y(item.apiCalls)} width={barW} height={y(limit) - y(item.apiCalls)} fill="url(#overage-hatch)" /> : null}
              <line x1={pad.left + i * slot} x2={pad.left + (i + 1) * slot} y1={y(limit)} y2={y(limit)} stroke="#212121" strokeWidth="2" strokeDasharray="6 3" className="limit-line" />
              <text x={pad.left + i * slot + slot / 2} y={height - pad.bottom + 16} textAnchor="middle" fontSize="11" fill="#333">
                {item.period.slice(2)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        <span className="key included" aria-hidden="true" /> included calls <span className="key overage" aria-hidden="true" /> overage (above the limit) <span className="key limit" aria-hidden="true" /> monthly limit
      </figcaption>
    </figure>
  );
}
