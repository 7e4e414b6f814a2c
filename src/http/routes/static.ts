import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { RequestHandler, Response, Router } from 'express';
import { sendError } from '../errors.ts';
import { readOnly } from '../methods.ts';

const STATIC_PATH = '/static/';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// A hashed name never changes content, so browsers may keep it for a year without asking again.
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface StaticAsset {
  contentType: string;
  body: Buffer;
}

export interface StaticAssets {
  /** "clock.js" → "/static/clock.1a2b3c4d5e.js": the name changes with the content, so it can be cached forever. */
  url(name: string): string;
  /** The asset behind a hashed file name, or undefined. */
  byHashedName(hashedName: string): StaticAsset | undefined;
  /** The asset behind a plain file name, for the few URLs browsers ask for by convention (/favicon.ico). */
  byName(name: string): StaticAsset | undefined;
}

function hashedNameOf(name: string, body: Buffer): string {
  const extension = extname(name);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  return `${name.slice(0, -extension.length)}.${hash}${extension}`;
}

/** Reads every file of the folder once, at start-up: a handful of small files, served from memory. */
export function loadStaticAssets(folder: URL): StaticAssets {
  const byName = new Map<string, StaticAsset>();
  const byHashedName = new Map<string, StaticAsset>();
  const hashedNames = new Map<string, string>();
  for (const name of readdirSync(folder)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) throw new Error(`static asset with unknown type: ${name}`);
    const asset = { contentType, body: readFileSync(new URL(name, folder)) };
    const hashedName = hashedNameOf(name, asset.body);
    byName.set(name, asset);
    byHashedName.set(hashedName, asset);
    hashedNames.set(name, hashedName);
  }
  return {
    url(name) {
      const hashedName = hashedNames.get(name);
      if (hashedName === undefined) throw new Error(`no static asset named ${name}`);
      return `${STATIC_PATH}${hashedName}`;
    },
    byHashedName: (hashedName) => byHashedName.get(hashedName),
    byName: (name) => byName.get(name),
  };
}

function sendAsset(res: Response, asset: StaticAsset, cacheControl: string): void {
  res.setHeader('Content-Type', asset.contentType);
  res.setHeader('Cache-Control', cacheControl);
  res.send(asset.body);
}

export function staticRoutes(router: Router, assets: StaticAssets): void {
  // Looked up once per request: an unknown (or outdated) name is a 404 whatever the method.
  const findAsset: RequestHandler = (req, res, next) => {
    const asset = assets.byHashedName(String(req.params.file));
    if (asset === undefined) {
      sendError(req, res, 404);
      return;
    }
    res.locals.asset = asset;
    next();
  };
  readOnly(
    router,
    `${STATIC_PATH}:file`,
    (_req, res) => {
      sendAsset(res, res.locals.asset as StaticAsset, IMMUTABLE);
    },
    findAsset,
  );
  // Browsers ask for /favicon.ico on pages without a <link rel="icon"> (error pages, the JSON view).
  const favicon = assets.byName('favicon.svg');
  if (favicon !== undefined) {
    readOnly(router, '/favicon.ico', (_req, res) => {
      sendAsset(res, favicon, 'public, max-age=86400');
    });
  }
}
