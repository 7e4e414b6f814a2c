import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { renderErrorPage } from './views/error-page.ts';

/** Answers with the status's standard reason only: never an error message, never a stack. */
export function sendError(req: Request, res: Response, status: number): void {
  const reason = STATUS_CODES[status] ?? 'Error';
  res.status(status);
  if (req.path.startsWith('/api/')) res.json({ error: reason });
  else res.type('html').send(renderErrorPage(status, reason));
}
