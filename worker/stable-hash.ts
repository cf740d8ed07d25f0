/**
 * 32-bit FNV-1a over a string's UTF-16 code units: cheap, and well spread over ids that
 * differ only in a few characters. For choices that must be the same in every isolate and
 * never change for a key: a new conversation's message database, a push's bridge link,
 * the bridge node a conversation's pushes enter by.
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
