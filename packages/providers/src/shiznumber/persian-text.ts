/**
 * Persian text as ShizNumber may spell it, folded to one form for matching.
 *
 * The same word reaches us in several spellings: with or without the zero-width non-joiner
 * ("می‌باشد" / "میباشد" / "می باشد" — the doc itself uses all three), with Arabic yeh/kaf
 * (ي/ك) instead of Persian (ی/ک), with Persian or Arabic-Indic digits, with tatweel or
 * diacritics. Matching compares the folded forms.
 */

const ZERO_WIDTH = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]/g;
const DIACRITICS_AND_TATWEEL = /[\u064b-\u065f\u0670\u0640]/g;

const LETTER_FOLDS: Readonly<Record<string, string>> = {
  ي: 'ی',
  ى: 'ی',
  ئ: 'ی',
  ك: 'ک',
  ة: 'ه',
  ۀ: 'ه',
  أ: 'ا',
  إ: 'ا',
  ٱ: 'ا',
  آ: 'ا',
  ؤ: 'و',
};
const FOLDED_LETTERS = new RegExp(`[${Object.keys(LETTER_FOLDS).join('')}]`, 'g');

function latinDigit(digit: string): string {
  const code = digit.charCodeAt(0);
  return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
}

export interface NormalizeOptions {
  /** Keep single spaces between words (for pulling numbers out); default removes all spaces. */
  keepSpaces?: boolean;
}

/** Folds spelling variants away: letters unified, digits Latin, no zero-width characters, lower
 *  case, and (by default) no whitespace at all so that word splits do not matter. */
export function normalizePersian(text: string, options: NormalizeOptions = {}): string {
  const folded = text
    .normalize('NFC')
    .replace(ZERO_WIDTH, options.keepSpaces ? ' ' : '')
    .replace(DIACRITICS_AND_TATWEEL, '')
    .replace(FOLDED_LETTERS, (letter) => LETTER_FOLDS[letter] ?? letter)
    .replace(/[۰-۹٠-٩]/g, latinDigit)
    .toLowerCase();
  return options.keepSpaces ? folded.replace(/\s+/g, ' ').trim() : folded.replace(/\s+/g, '');
}

/** Does `text` contain `phrase`, spelling variants aside? */
export function containsPersian(text: string, phrase: string): boolean {
  const needle = normalizePersian(phrase);
  return needle !== '' && normalizePersian(text).includes(needle);
}
