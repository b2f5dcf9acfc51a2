import { formatDay, formatNumber } from '../i18n';

export interface Series {
  label: string;
  values: number[];
  /** A CSS class giving the series its colour (`s1`, `s2`). */
  tone: 's1' | 's2' | 's3';
}

/**
 * Grouped bars of daily series, drawn as SVG (no chart library: a few hundred bytes instead of
 * tens of kilobytes). Screen readers get the same numbers as a table.
 */
export function BarChart({ title, days, series }: { title: string; days: string[]; series: Series[] }) {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const width = 320;
  const height = 120;
  const slot = width / Math.max(1, days.length);
  const bar = Math.max(1, (slot - 2) / series.length);
  return (
    <figure class="chart">
      <figcaption>
        {title}
        <span class="legend" aria-hidden="true">
          {series.map((s) => <span key={s.label} class={`key ${s.tone}`}>{s.label}</span>)}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height + 14}`} role="img" aria-hidden="true" preserveAspectRatio="none">
        <line x1="0" x2={width} y1={height} y2={height} class="axis" />
        {days.map((day, i) => series.map((s, j) => {
          const value = s.values[i] ?? 0;
          const h = (value / max) * (height - 4);
          return <rect key={`${day}-${s.label}`} class={s.tone} x={i * slot + 1 + j * bar} y={height - h} width={bar} height={h}><title>{`${formatDay(day)} · ${s.label}: ${value}`}</title></rect>;
        }))}
        {days.length > 0 && <text x="0" y={height + 12} class="tick">{formatDay(days[0]!)}</text>}
        {days.length > 1 && <text x={width} y={height + 12} class="tick" text-anchor="end">{formatDay(days[days.length - 1]!)}</text>}
      </svg>
      <table class="sr-only">
        <caption>{title}</caption>
        <thead><tr><th scope="col">{'\u00a0'}</th>{series.map((s) => <th key={s.label} scope="col">{s.label}</th>)}</tr></thead>
        <tbody>
          {days.map((day, i) => <tr key={day}><th scope="row">{formatDay(day)}</th>{series.map((s) => <td key={s.label}>{formatNumber(s.values[i] ?? 0)}</td>)}</tr>)}
        </tbody>
      </table>
    </figure>
  );
}
