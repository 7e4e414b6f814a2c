// Keeps the server-rendered clock ticking. The server's time is the truth: the browser's clock may be
// off by minutes, so the difference between the two is measured once, when the page arrived, and
// applied to every tick.
(() => {
  const clock = document.getElementById('clock');
  const dateLine = document.getElementById('date');
  if (!(clock instanceof HTMLTimeElement) || dateLine === null) return;

  const serverMs = Number(clock.dataset.epochMs);
  const navigation = performance.getEntriesByType('navigation')[0];
  const arrivedMs = navigation ? performance.timeOrigin + navigation.responseStart : Date.now();
  const skewMs = Number.isFinite(serverMs) ? serverMs - arrivedMs : 0;

  // src/time.ts's DISPLAY_FORMAT, so the ticking clock renders exactly what the server rendered (a copy, so
  // this file needs no build step; test/clock-script.test.ts runs it against the server's formatter).
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone: clock.dataset.timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  });

  function isoWithOffset(epochMs, gmtOffset) {
    const offset = gmtOffset === 'GMT' ? '+00:00' : gmtOffset.slice(3);
    const [hours, minutes] = offset.slice(1).split(':').map(Number);
    const offsetMs = (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60000;
    return new Date(epochMs + offsetMs).toISOString().slice(0, -1) + offset;
  }

  function render() {
    const nowMs = Date.now() + skewMs;
    const part = {};
    for (const { type, value } of format.formatToParts(nowMs)) part[type] = value;
    clock.textContent = `${part.hour}:${part.minute}:${part.second}`;
    clock.dateTime = isoWithOffset(nowMs, part.timeZoneName);
    dateLine.textContent = `${part.weekday}, ${part.day} ${part.month} ${part.year}`;
    // Wake just after the next full second of server time, so the display never lags a whole second.
    setTimeout(render, 1000 - (nowMs % 1000) + 10);
  }

  render();
})();
