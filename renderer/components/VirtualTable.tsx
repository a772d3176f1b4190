// A table that renders only the rows in view (@tanstack/react-virtual), so 1,000+ hosts scroll
// smoothly. Keyboard: focus the table, ↑/↓/Home/End/PageUp/PageDown move the active row (scrolled
// into view), Enter activates it.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: ReactNode;
  /** A CSS grid track, e.g. '2fr' or '120px'. */
  width?: string;
  render: (row: T) => ReactNode;
}

export interface VirtualTableProps<T> {
  label: string;
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  rowHeight?: number;
  /** Height of the scrolling area in px. */
  height?: number;
  onActivate?: (row: T) => void;
  overscan?: number;
}

/** The next active index for a key press, or null when the key is not ours. */
export function nextIndex(key: string, current: number, count: number, pageSize: number): number | null {
  if (count === 0) return null;
  const clamp = (i: number) => Math.max(0, Math.min(count - 1, i));
  switch (key) {
    case 'ArrowDown':
      return clamp(current + 1);
    case 'ArrowUp':
      return clamp(current - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'PageDown':
      return clamp(current + pageSize);
    case 'PageUp':
      return clamp(current - pageSize);
    default:
      return null;
  }
}

export function VirtualTable<T>({
  label,
  rows,
  columns,
  rowKey,
  rowHeight = 40,
  height = 560,
  onActivate,
  overscan = 8,
}: VirtualTableProps<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(-1);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan,
    // Before the first measurement (and in jsdom, which has no layout) assume the given size.
    initialRect: { width: 1000, height },
  });
  const template = columns.map((c) => c.width ?? '1fr').join(' ');
  const pageSize = Math.max(1, Math.floor(height / rowHeight) - 1);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && active >= 0 && rows[active]) {
      e.preventDefault();
      onActivate?.(rows[active]);
      return;
    }
    const next = nextIndex(e.key, active < 0 ? -1 : active, rows.length, pageSize);
    if (next === null) return;
    e.preventDefault();
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={rows.length + 1}>
      <div className="vtable-row vtable-head" role="row" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div key={c.key} role="columnheader">
            {c.header}
          </div>
        ))}
      </div>
      <div
        ref={scroller}
        className="vtable-body"
        style={{ height: Math.min(height, Math.max(rowHeight, rows.length * rowHeight)), overflowY: 'auto' }}
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-activedescendant={active >= 0 && rows[active] ? `vrow-${rowKey(rows[active])}` : undefined}
      >
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            const key = rowKey(row);
            return (
              <div
                key={key}
                id={`vrow-${key}`}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={item.index === active}
                className={`vtable-row${item.index === active ? ' active' : ''}`}
                style={{
                  gridTemplateColumns: template,
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: rowHeight,
                  transform: `translateY(${item.start}px)`,
                }}
                onClick={() => setActive(item.index)}
                onDoubleClick={() => onActivate?.(row)}
              >
                {columns.map((c) => (
                  <div key={c.key} role="cell">
                    {c.render(row)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
