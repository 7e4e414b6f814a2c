// Keeps the server-rendered clock ticking. The server's time is the truth: the browser's clock may be
// off by minutes, so the difference between the two is measured once, when the page arrived, and
// applied to every tick. The time is formatted by src/time.ts, bundled in: the server's own code, so the
// ticking clock renders exactly what the server rendered.
import { createZonedTimeFormatter } from '../src/time.ts';

const clock = document.getElementById('clock');
const dateLine = document.getElementById('date');

if (clock instanceof HTMLTimeElement && dateLine !== null && clock.dataset.timeZone !== undefined) {
  const serverMs = Number(clock.dataset.epochMs);
  const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const arrivedMs = navigation === undefined ? Date.now() : performance.timeOrigin + navigation.responseStart;
  const skewMs = Number.isFinite(serverMs) ? serverMs - arrivedMs : 0;
  const formatTime = createZonedTimeFormatter(clock.dataset.timeZone);

  const render = () => {
    const now = formatTime(Date.now() + skewMs);
    clock.textContent = now.time;
    clock.dateTime = now.iso;
    dateLine.textContent = now.date;
    // Wake just after the next full second of server time, so the display never lags a whole second.
    setTimeout(render, 1000 - (now.epochMs % 1000) + 10);
  };
  render();
}
