import type { RequestHandler } from 'express';

// Every answer is computed at request time (the clock, health, metrics, errors), so none may be cached;
// the static routes, whose hashed names never change content, replace this with their own header.
export const noStoreByDefault: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
