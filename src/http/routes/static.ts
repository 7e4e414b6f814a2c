import type { RequestHandler, Response, Router } from 'express';
import { sendError } from '../errors.ts';
import { readOnly } from '../methods.ts';
import type { StaticAsset, StaticAssets } from '../static-assets.ts';

// A hashed name never changes content, so browsers may keep it for a year without asking again.
const IMMUTABLE = 'public, max-age=31536000, immutable';

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
    '/static/:file',
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
