import type { Response, Router } from 'express';
import { readOnly } from '../http/methods.ts';
import { sendError } from '../http/error-response.ts';
import type { StaticAsset, StaticAssets } from '../static-assets.ts';

function sendAsset(res: Response, asset: StaticAsset, cacheControl: string): void {
  res.setHeader('Content-Type', asset.contentType);
  res.setHeader('Cache-Control', cacheControl);
  res.send(asset.body);
}

export function staticRoutes(router: Router, assets: StaticAssets): void {
  // An unknown (or outdated) name is a 404 whatever the method; a known one is a read-only resource.
  router.all('/static/:file', (req, res, next) => {
    if (assets.byHashedName(req.params.file) === undefined) sendError(req, res, 404);
    else next();
  });
  // A hashed name never changes content, so browsers may keep it for a year without asking again.
  readOnly(router, '/static/:file', (req, res) => {
    const asset = assets.byHashedName(String(req.params.file));
    if (asset !== undefined) sendAsset(res, asset, 'public, max-age=31536000, immutable');
  });
  // Browsers ask for /favicon.ico on pages without a <link rel="icon"> (error pages, the JSON view).
  const favicon = assets.byName('favicon.svg');
  if (favicon !== undefined) {
    readOnly(router, '/favicon.ico', (_req, res) => {
      sendAsset(res, favicon, 'public, max-age=86400');
    });
  }
}
