import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * Volume (bars) and payments (a line) per hour or day, drawn by uPlot: a 20 KB canvas
 * chart library that draws tens of thousands of points without effort, with no
 * dependencies. Loaded only with the overview. The same numbers are in a table beside it.
 */
export interface ChartProps {
  times: number[];
  volume: number[];
  count: number[];
  labels: { volume: string; count: string };
  formatVolume: (v: number) => string;
  hourly: boolean;
  intl: string;
}

export default function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // Inside the box's padding (8 px a side).
    const width = () => Math.max(260, el.clientWidth - 16);
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    const fmt = new Intl.DateTimeFormat(
      props.intl,
      props.hourly ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short' },
    );
    const plot = new uPlot(
      {
        width: width(),
        height: 240,
        // Room above the top tick, so its label is not cut off.
        padding: [16, 8, 0, 8],
        scales: { x: { time: true }, volume: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          {
            // Ticks only on whole buckets (hours, or days): never two labels for one day.
            incrs: props.hourly
              ? [3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400]
              : [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400],
            space: 48,
            values: (_u, ticks) => ticks.map((t) => fmt.format(new Date(t * 1000))),
          },
          { scale: 'volume', values: (_u, ticks) => ticks.map(props.formatVolume), size: 70 },
          { scale: 'count', side: 1, grid: { show: false } },
        ],
        series: [
          {},
          {
            label: props.labels.volume,
            scale: 'volume',
            stroke: '#3f3ac9',
            fill: '#3f3ac955',
            paths: bars,
            value: (_u, v) => (v == null ? '—' : props.formatVolume(v)),
          },
          { label: props.labels.count, scale: 'count', stroke: '#17703a', width: 2 },
        ],
        legend: { live: false },
      },
      [props.times, props.volume, props.count],
      el,
    );
    const ro = new ResizeObserver(() => plot.setSize({ width: width(), height: 240 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [props.times, props.volume, props.count]);
  return <div ref={box} class="chart" aria-hidden="true" data-testid="chart" />;
}
