const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

export interface Layout {
  title: string;
  body: string;
  /** Hashed asset URLs; without them the browser falls back to /favicon.ico and default styles. */
  icon?: string;
  stylesheet?: string;
  script?: string;
}

export function renderLayout({ title, body, icon, stylesheet, script }: Layout): string {
  const head = [
    icon === undefined ? '' : `<link rel="icon" href="${escapeHtml(icon)}" type="image/svg+xml">`,
    stylesheet === undefined ? '' : `<link rel="stylesheet" href="${escapeHtml(stylesheet)}">`,
    script === undefined ? '' : `<script src="${escapeHtml(script)}" defer></script>`,
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${head.join('\n')}
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
