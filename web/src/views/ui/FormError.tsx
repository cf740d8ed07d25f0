// Why the last action of a form or dialog failed, announced at once (role=alert).
export function FormError({ error }: { error: string | null }) {
  return error ? (
    <p class="form-error" role="alert">
      {error}
    </p>
  ) : null;
}
