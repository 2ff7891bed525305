/**
 * What makes text unfit to store or show. PostgreSQL cannot store NUL, nor text that is not
 * valid Unicode (an unpaired UTF-16 surrogate, which JSON and JavaScript allow); control
 * characters (terminal escape sequences start with one) corrupt logs and screens; and text made
 * only of invisible characters looks empty while it is not.
 */

const NUL = /\u0000/;
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Unicode Cc: C0 controls (ESC included), DEL and the C1 controls (CSI U+009B included). */
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
/** Cc except tab, line feed and carriage return, for text that may span lines. */
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/**
 * Characters that render as nothing: white space, default-ignorable code points (zero-width
 * space and joiners, BOM, soft hyphen, variation selectors, Hangul fillers), other format
 * characters, and the Braille blank.
 */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cf}\u2800]/gu;

/** What PostgreSQL would refuse to store, or null. */
export function unstorableIn(text: string): string | null {
  if (NUL.test(text)) return 'must not contain the NUL character (U+0000)';
  if (UNPAIRED_SURROGATE.test(text)) return 'must be valid Unicode (it contains an unpaired surrogate)';
  return null;
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text with what PostgreSQL cannot store replaced by U+FFFD, for keeping refused input as evidence. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/** Whether the text has at least one character that shows. */
export function hasVisibleCharacter(text: string): boolean {
  return text.replace(INVISIBLE, '').length > 0;
}

export interface TextRules {
  /** Allow tab, line feed and carriage return (free text such as a churn reason). */
  readonly lineBreaks?: boolean;
}

/**
 * Why the text is not clean, as a message that completes "<field> …", or null. Empty and
 * blank text is left to the field's own rules (a name is trimmed and then required); any other
 * text must show at least one character.
 */
export function textProblem(text: string, rules: TextRules = {}): string | null {
  const unstorable = unstorableIn(text);
  if (unstorable) return unstorable;
  if ((rules.lineBreaks ? CONTROL_BUT_LINE_BREAKS : CONTROL).test(text)) {
    return 'must not contain control characters or terminal escape sequences';
  }
  if (text.trim().length > 0 && !hasVisibleCharacter(text)) return 'must contain a visible character, not only invisible ones';
  return null;
}
