import type { ToastKind } from './api/errors';

export interface Toast {
  id: number;
  message: string;
  kind: ToastKind;
}

let nextId = 1;
export const toasts = $state<Toast[]>([]);

/** Shows a message for a few seconds (errors stay longer); the same message is never stacked twice. */
export function toast(message: string, kind: ToastKind = 'info'): void {
  if (toasts.some((t) => t.message === message)) return;
  const id = nextId++;
  toasts.push({ id, message, kind });
  if (typeof window !== 'undefined') setTimeout(() => dismissToast(id), kind === 'error' ? 10000 : 5000);
}

export function dismissToast(id: number): void {
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}
