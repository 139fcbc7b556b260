import type { ComponentChildren } from 'preact';

interface FieldProps {
  inputMode?: 'numeric' | 'text';
  autocomplete?: 'cc-number' | 'cc-exp' | 'cc-csc' | 'cc-name' | 'off';
  autocapitalize?: 'none' | 'off';
  spellcheck?: boolean;
  placeholder?: string;
  maxLength?: number;
  onBlur?: () => void;
  'data-brand'?: string;
  /** Shown inside the input's right edge (card-brand marks). */
  adornment?: ComponentChildren;
  id: string;
  label: string;
  error?: string | null;
  hint?: string;
  value: string;
  onValue: (value: string, input: HTMLInputElement, e: InputEvent) => void;
}

/** A labelled input whose error is tied to it and announced to screen readers. */
export function Field({ id, label, error, hint, value, onValue, adornment, ...rest }: FieldProps) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      <div class={adornment ? 'adorned' : undefined}>
        <input
          id={id}
          name={id}
          value={value}
          aria-invalid={error ? 'true' : 'false'}
          aria-describedby={described || undefined}
          onInput={(e) =>
            onValue(e.currentTarget.value, e.currentTarget, e as unknown as InputEvent)
          }
          {...rest}
        />
        {adornment}
      </div>
      {hint && !error && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <p class="error" id={`${id}-error`} role="alert">
        {error ?? ''}
      </p>
    </div>
  );
}
