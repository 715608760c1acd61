import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Sends a request whose body is a stream through `node:http(s)`, with real
 * backpressure. Node 20's fetch (undici) keeps every chunk of a streamed
 * request body alive until the request ends, so a 1 GiB upload would cost
 * 1 GiB of memory; this path keeps it at a few chunks. Returns a fetch
 * `Response` so callers handle both paths alike.
 */
export async function streamRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): Promise<Response> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const req = send(target, { method, headers, signal });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  // If the server answers early (error status) and closes, the pipeline fails: prefer the answer.
  const sent = pipeline(Readable.from(body, { objectMode: false }), req);
  let response: IncomingMessage;
  try {
    [response] = await Promise.all([answered, sent]);
  } catch (error) {
    const early = await Promise.race([answered.catch(() => undefined), Promise.resolve(undefined)]);
    if (!early) throw error;
    response = early;
  }
  const responseHeaders = new Headers();
  for (const [key, value] of Object.entries(response.headers)) {
    if (value !== undefined) responseHeaders.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const status = response.statusCode ?? 500;
  const hasBody = status !== 204 && status !== 304 && method !== 'HEAD';
  if (!hasBody) response.resume();
  return new Response(hasBody ? (Readable.toWeb(response) as ReadableStream<Uint8Array>) : null, { status, headers: responseHeaders });
}
