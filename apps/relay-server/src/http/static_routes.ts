import { stat } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError } from './errors';

// The built web app. Paths without an extension that are not files get index.html (the
// app's client-side routes: /demo, /join/<code>, /dashboard/<id>); other missing files are
// 404s. @fastify/static streams the files (a read error becomes a 500, not a crash).
//
// Which file a URL names is decided here, once, on the decoded path: it must resolve inside
// the web folder by path.relative, not by a string prefix (which would let /x/dist serve
// /x/dist-secret, e.g. for /..%2fdist-secret/file), and no part of it may start with a dot.

const IMMUTABLE = 'public, max-age=31536000, immutable';

type Target = { kind: 'file'; relative: string; extension: string } | { kind: 'outside' } | { kind: 'hidden' };

function targetOf(url: string, root: string): Target {
  const rawPath = url.split('?')[0] ?? '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new HttpError(400, `the URL path ${JSON.stringify(rawPath)} is not valid percent-encoding`);
  }
  if (decoded.includes('\0')) return { kind: 'hidden' };
  const relative = path.relative(root, path.resolve(root, `.${decoded}`));
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return { kind: 'outside' };
  if (relative.split(path.sep).some((part) => part.startsWith('.'))) return { kind: 'hidden' };
  return { kind: 'file', relative, extension: path.extname(decoded) };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(text);
}

export async function staticRoutes(app: FastifyInstance, webDir: string): Promise<void> {
  const root = path.resolve(webDir);
  // Only reply.sendFile: which path is served is decided above. The folder may not exist
  // yet (the app is built after the relay starts), so it is not handed to the plugin as root.
  await app.register(fastifyStatic, { serve: false, cacheControl: false, dotfiles: 'deny' });

  app.get('/*', async (request, reply) => {
    const target = targetOf(request.url, root);
    if (target.kind === 'outside') return sendText(reply, 403, 'forbidden');
    if (target.kind === 'hidden') return sendText(reply, 404, 'not found');
    let relative = target.relative;
    if (relative === '' || !(await isFile(path.join(root, relative)))) {
      if (relative !== '' && target.extension !== '') return sendText(reply, 404, 'not found');
      relative = 'index.html';
      if (!(await isFile(path.join(root, relative)))) {
        return sendText(reply, 503, `The web app is not built (${path.join(root, relative)} is missing): run \`npm run build:web\`, or start the relay with \`npm start\`, which builds it.`);
      }
    }
    // Hashed assets never change; the HTML must be revalidated so a new build is picked up.
    void reply.header('cache-control', relative.split(path.sep)[0] === 'assets' ? IMMUTABLE : 'no-cache');
    return reply.sendFile(relative.split(path.sep).join('/'), root);
  });
}
