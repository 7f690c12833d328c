// Cursor pagination with only `first/after` (as the API offers): the cursors of the pages before the current
// one are kept in history.state, so "Previous" works, and reload keeps it; a shared link starts a fresh stack.

export interface PagerHistoryState {
  cursors?: (string | null)[];
}

function stack(state: unknown): (string | null)[] {
  const cursors = (state as PagerHistoryState | null)?.cursors;
  return Array.isArray(cursors) ? cursors : [];
}

/** Going to the next page: remember where this page started. */
export function nextPage(state: unknown, currentAfter: string | null): PagerHistoryState {
  return { cursors: [...stack(state), currentAfter] };
}

/** Going back one page: the cursor to load and the stack left. Without a stack, back to the first page. */
export function previousPage(state: unknown): { after: string | null; state: PagerHistoryState } {
  const cursors = stack(state);
  const after = cursors.length > 0 ? (cursors[cursors.length - 1] ?? null) : null;
  return { after, state: { cursors: cursors.slice(0, -1) } };
}

/** 1-based number of the current page. */
export function pageNumber(state: unknown, currentAfter: string | null): number {
  return currentAfter ? Math.max(stack(state).length, 1) + 1 : 1;
}
