import * as React from 'react';

/**
 * Arrow keys, Home/End and Enter over a `role="tree"` list (WAI-ARIA tree
 * pattern): up/down move between visible items, right expands or enters,
 * left collapses or goes to the parent, Enter toggles.
 */
export function onTreeKeyDown(event: React.KeyboardEvent<HTMLElement>): void {
  const target = event.target as HTMLElement;
  if (target.tagName === 'INPUT' || target.tagName === 'BUTTON') {
    return;
  }
  const current = target.closest<HTMLElement>('[role="treeitem"]');
  if (!current) {
    return;
  }
  const items = Array.from(
    event.currentTarget.querySelectorAll<HTMLElement>('[role="treeitem"]')
  );
  const index = items.indexOf(current);
  const expanded = current.getAttribute('aria-expanded');
  const toggle = () =>
    current.querySelector<HTMLElement>(':scope > .tb-TreeRow')?.click();
  let next: HTMLElement | null | undefined = null;
  switch (event.key) {
    case 'ArrowDown':
      next = items[index + 1];
      break;
    case 'ArrowUp':
      next = items[index - 1];
      break;
    case 'Home':
      next = items[0];
      break;
    case 'End':
      next = items[items.length - 1];
      break;
    case 'ArrowRight':
      if (expanded === 'false') {
        toggle();
      } else if (expanded === 'true') {
        next = current.querySelector<HTMLElement>('[role="treeitem"]');
      }
      break;
    case 'ArrowLeft':
      if (expanded === 'true') {
        toggle();
      } else {
        next = current.parentElement?.closest<HTMLElement>('[role="treeitem"]');
      }
      break;
    case 'Enter':
    case ' ':
      if (expanded !== null) {
        toggle();
      }
      break;
    default:
      return;
  }
  event.preventDefault();
  event.stopPropagation();
  next?.focus();
}
