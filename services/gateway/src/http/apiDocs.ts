import fs from 'node:fs';
import path from 'node:path';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Authenticator } from '../app/authenticator';
import { rateLimited, refusedByAuthentication } from './authResponses';
import { clientAddress } from './allowListHandler';
import type { RateLimits } from './rateLimits';

export interface ApiDocsDeps {
  authenticator: Authenticator;
  rateLimits: RateLimits;
  /** The generated document (`npm run openapi` writes public/openapi.json). */
  documentFile: string;
  /** swagger-ui-dist's folder (the renderer, from npm; nothing is loaded from another origin). */
  rendererDir: string;
}

/** The renderer's files the page loads; nothing else of its package is served. */
const RENDERER_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/**
 * Only this origin's scripts and the document; the renderer sets inline style attributes (React),
 * hence 'unsafe-inline' for styles alone. No frames, no forms to elsewhere, no plugins.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>staycar public API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="api-docs"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// In a file of its own, not inline: the CSP allows no inline script.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#api-docs', deepLinking: true, validatorUrl: null });\n`;

/**
 * GET /openapi.json (the public API as OpenAPI 3.1) and GET /docs (it, rendered). Public like the
 * catalog: no token needed, a token that is sent must be valid, and each call counts against the
 * caller's rate limit as on every allow-listed route.
 */
export function apiDocsRoutes(deps: ApiDocsDeps): Router {
  const document = fs.readFileSync(deps.documentFile);
  const router = Router();

  router.use(['/openapi.json', '/docs'], async (req: Request, res: Response, next: NextFunction) => {
    const auth = await deps.authenticator.authenticate(req.header('authorization'));
    const principal = auth.kind === 'authenticated' ? auth.principal : undefined;
    const wait = await deps.rateLimits.caller(principal?.userId, clientAddress(req));
    if (wait !== undefined) throw rateLimited(wait);
    if (refusedByAuthentication(res, auth, false)) return;
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });

  router.get('/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.type('application/json').send(document);
  });

  const page = (_req: Request, res: Response) => {
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/html; charset=utf-8').send(PAGE);
  };
  router.get('/docs', page);
  router.get('/docs/', page);
  router.get('/docs/init.js', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('text/javascript; charset=utf-8').send(INIT);
  });
  router.get('/docs/assets/:file', (req, res, next) => {
    const file = req.params.file;
    const type = file === undefined ? undefined : RENDERER_FILES[file];
    if (file === undefined || type === undefined) return next();
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type(type).sendFile(path.join(deps.rendererDir, file));
  });
  return router;
}
