// @vitest-environment jsdom
// The virtualized table renders only what is in view, and the keyboard moves through all rows.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nextIndex, VirtualTable } from './VirtualTable.js';

// jsdom has no layout: give the scrolling area the size a browser would (the virtualizer reads clientHeight).
const sizes = { clientHeight: 400, clientWidth: 800 };
const saved = Object.keys(sizes).map((k) => [k, Object.getOwnPropertyDescriptor(Element.prototype, k)] as const);
beforeAll(() => {
  for (const [k, v] of Object.entries(sizes)) Object.defineProperty(Element.prototype, k, { configurable: true, get: () => v });
});
afterAll(() => {
  for (const [k, d] of saved) if (d) Object.defineProperty(Element.prototype, k, d);
});
afterEach(cleanup);

const rows = Array.from({ length: 1000 }, (_, i) => ({ id: `h${i}`, name: `host-${String(i).padStart(4, '0')}` }));
const columns = [{ key: 'name', header: 'Name', render: (r: (typeof rows)[number]) => r.name }];

describe('VirtualTable', () => {
  it('renders a window of rows, not all 1,000', () => {
    render(<VirtualTable label="Hosts" rows={rows} columns={columns} rowKey={(r) => r.id} rowHeight={40} height={400} overscan={5} />);
    const shown = screen.getAllByRole('row').length - 1; // minus the header
    expect(shown).toBeGreaterThanOrEqual(10);
    expect(shown).toBeLessThanOrEqual(20);
    expect(screen.getByText('host-0000')).toBeTruthy();
    expect(screen.queryByText('host-0999')).toBeNull();
    expect(screen.getByRole('table').getAttribute('aria-rowcount')).toBe('1001');
  });

  it('moves the active row with the keyboard and activates it with Enter', () => {
    const activated: string[] = [];
    render(
      <VirtualTable
        label="Hosts"
        rows={rows}
        columns={columns}
        rowKey={(r) => r.id}
        height={400}
        onActivate={(r) => activated.push(r.id)}
      />,
    );
    const body = screen.getByRole('table').querySelector('.vtable-body')!;
    act(() => void fireEvent.keyDown(body, { key: 'ArrowDown' }));
    act(() => void fireEvent.keyDown(body, { key: 'ArrowDown' }));
    expect(body.getAttribute('aria-activedescendant')).toBe('vrow-h1');
    act(() => void fireEvent.keyDown(body, { key: 'Enter' }));
    act(() => void fireEvent.keyDown(body, { key: 'End' }));
    expect(body.getAttribute('aria-activedescendant')).toBe('vrow-h999');
    act(() => void fireEvent.keyDown(body, { key: 'Enter' }));
    expect(activated).toEqual(['h1', 'h999']);
  });
});

describe('nextIndex', () => {
  it('clamps to the list and ignores other keys', () => {
    expect(nextIndex('ArrowUp', 0, 10, 5)).toBe(0);
    expect(nextIndex('ArrowDown', 9, 10, 5)).toBe(9);
    expect(nextIndex('PageDown', 7, 10, 5)).toBe(9);
    expect(nextIndex('PageUp', 3, 10, 5)).toBe(0);
    expect(nextIndex('Home', 5, 10, 5)).toBe(0);
    expect(nextIndex('a', 5, 10, 5)).toBeNull();
    expect(nextIndex('ArrowDown', -1, 0, 5)).toBeNull();
  });
});
