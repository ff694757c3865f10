// Portkey 1.15.2 adds headers to the upstream's streaming Response, whose headers Node's fetch
// makes immutable (Portkey issues #1389, #1550). Re-wrap such responses the way the upstream fix
// (Portkey PR #1551) does, so Portkey can stream; other responses are returned untouched.
const upstreamFetch = globalThis.fetch;
globalThis.fetch = async function (...args) {
  const res = await upstreamFetch.apply(this, args);
  if (!(res.headers.get('content-type') || '').startsWith('text/event-stream')) return res;
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
};
