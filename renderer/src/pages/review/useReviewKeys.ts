import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';
import type { DecisionInput, ReviewItem } from '../../../../api/review.js';
import type { Notify } from './useReviewScope.js';
import type { QueueState } from './useReviewQueue.js';

export type ReviewDialog = null | 'reject' | 'edit' | 'comment' | 'bulk' | 'help';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable;
}

interface KeyDeps {
  dialog: ReviewDialog;
  setDialog(d: ReviewDialog): void;
  toggleSide(): void;
  itemRef: RefObject<ReviewItem | null>;
  searchRef: RefObject<HTMLInputElement | null>;
  decide(d: DecisionInput): void;
  undo(): void;
  q: QueueState;
  notify: Notify;
}

/** Keyboard first: the whole session works without the mouse (see the shortcuts dialog). */
export function useReviewKeys(active: boolean, deps: KeyDeps): void {
  const state = useRef(deps);
  useLayoutEffect(() => {
    state.current = deps;
  });
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      const { dialog, setDialog, toggleSide, itemRef, searchRef, decide, undo, q, notify } = state.current;
      const item = itemRef.current;
      if (dialog) return;
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z' && !isTyping(e.target)) {
        e.preventDefault();
        undo();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const key = e.key;
      if (/^[1-9]$/.test(key) && item) {
        const option = item.options[Number(key) - 1];
        if (option) {
          e.preventDefault();
          decide({ kind: 'answer', answer: option.letter });
        }
        return;
      }
      const k = key.toLowerCase();
      const handled = (() => {
        if (key === '?') setDialog('help');
        else if (key === '/') searchRef.current?.focus();
        else if (k === 'j') q.next();
        else if (k === 'k') q.prev();
        else if (k === 'g') toggleSide();
        else if (k === 'u') undo();
        else if (!item) return false;
        else if (k === 'a') {
          if (item.pseudoLabel?.label) decide({ kind: 'accept' });
          else notify('No pseudo-label to accept: pick the answer with 1–5', 'info');
        } else if (k === 'r') setDialog('reject');
        else if (k === 'e') setDialog('edit');
        else if (k === 's') decide({ kind: 'skip' });
        else if (k === 'c') setDialog('comment');
        else return false;
        return true;
      })();
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active]);
}
