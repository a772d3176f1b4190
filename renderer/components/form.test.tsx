// @vitest-environment jsdom
// API validation errors land at the field they name; anything else is shown above the form.
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.js';
import { formErrors, TextField } from './form.js';

afterEach(cleanup);

describe('formErrors', () => {
  it('maps issues to the fields the form shows, nested paths to their field, the rest to a general message', () => {
    const err = new ApiError(400, 'invalid_input', 'invalid request', [
      { path: 'host', message: 'a host name or IP address' },
      { path: 'auth.privateKey', message: 'give privateKey or keyFile' },
      { path: 'host', message: 'second message for host' },
      { path: 'tunnelPort', message: 'required for tunnel' },
    ]);
    expect(formErrors(err, ['name', 'host', 'auth'])).toEqual({
      fields: { host: 'a host name or IP address', auth: 'give privateKey or keyFile' },
      general: 'tunnelPort: required for tunnel',
    });
  });

  it('shows an error without issues (or not from the API) as a general message', () => {
    expect(formErrors(new ApiError(409, 'conflict', 'a server named web-1 exists'), ['name'])).toEqual({
      fields: {},
      general: 'a server named web-1 exists',
    });
    expect(formErrors(new Error('boom'), [])).toEqual({ fields: {}, general: 'boom' });
    expect(formErrors(null, ['name'])).toEqual({ fields: {}, general: null });
  });
});

describe('TextField', () => {
  it('ties its error to the input for assistive technology', () => {
    render(<TextField label="SSH host" value="a b" onChange={() => {}} error="a host name or IP address" />);
    const input = screen.getByLabelText('SSH host');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const described = input.getAttribute('aria-describedby')!;
    expect(document.getElementById(described)!.textContent).toBe('a host name or IP address');
  });
});
