import { useCallback, useState, type Dispatch, type SetStateAction } from 'react';

const prefix = 'medssr.form.';

function read<T>(key: string, initial: T, valid: (v: unknown) => v is T): T {
  try {
    const raw = sessionStorage.getItem(prefix + key);
    if (raw === null) return initial;
    const v: unknown = JSON.parse(raw);
    return valid(v) ? v : initial;
  } catch {
    return initial;
  }
}

/**
 * useState that outlives the page: a form's values survive a visit to another page (the page unmounts) and a
 * reload, for this window (sessionStorage). What was stored by another version of the form and no longer has
 * the right shape is ignored, so a stale value can never break the page.
 */
export function usePersistentState<T>(key: string, initial: T, valid: (v: unknown) => v is T): [T, Dispatch<SetStateAction<T>>] {
  const [value, setValue] = useState<T>(() => read(key, initial, valid));
  const set = useCallback<Dispatch<SetStateAction<T>>>(
    (next) => {
      setValue((cur) => {
        const v = typeof next === 'function' ? (next as (c: T) => T)(cur) : next;
        try {
          sessionStorage.setItem(prefix + key, JSON.stringify(v));
        } catch {
          // Storage full or disabled: the value still lives for this visit.
        }
        return v;
      });
    },
    [key],
  );
  return [value, set];
}

export const isString = (v: unknown): v is string => typeof v === 'string';
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every(isNumber);
/** A guard for one of a fixed list of strings (a select's options). */
export const isOneOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown): v is T =>
    typeof v === 'string' && (values as readonly string[]).includes(v);
export const isNullableNumber = (v: unknown): v is number | null => v === null || isNumber(v);
