/** Quotes a string for POSIX sh: single quotes, with embedded ones closed and escaped. */
export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
