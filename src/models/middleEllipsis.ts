/**
 * Where a long name is cut when it does not fit: the end is kept, because
 * names that share a prefix (`cifar10-custom-vs-resnet50` and its `-nan`
 * sibling) differ at the end. No DOM.
 */

/** Names up to this long are never split. */
const SHORT = 16;
/** The kept end is at most this long (from the last separator), else this many characters. */
const MAX_TAIL = 16;
const MIN_TAIL = 4;
const FALLBACK_TAIL = 10;

/** The part that may shrink behind an ellipsis, and the end that always shows. */
export function splitForMiddleEllipsis(text: string): {
  head: string;
  tail: string;
} {
  if (text.length <= SHORT) {
    return { head: text, tail: '' };
  }
  const window = text.slice(-MAX_TAIL);
  const separator = Math.max(
    ...['-', '_', '.', '/', ' ', ':'].map(sep => window.lastIndexOf(sep))
  );
  let tailLength = separator >= 0 ? MAX_TAIL - separator : FALLBACK_TAIL;
  if (tailLength < MIN_TAIL) {
    tailLength = FALLBACK_TAIL;
  }
  return {
    head: text.slice(0, text.length - tailLength),
    tail: text.slice(text.length - tailLength)
  };
}
