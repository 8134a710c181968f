// What every screen gets from the frame, and how it reports a call that failed.
import { ref } from "vue";

/** The props of a screen: the scope chosen in the frame, the sign-in, and the frame's handler
 * of an ended sign-in. */
export const screenProps = {
  product: { type: String, required: true },
  env: { type: String, required: true },
  session: { type: Object, required: true },
  onEnded: { type: Function, required: true },
};

/** The screen's error message, and `fail(e)`: an ended sign-in goes back to the sign-in
 * screen, any other error is shown on the screen. */
export function useFailure(props) {
  const error = ref("");
  const fail = (e) => {
    if (!props.onEnded(e)) error.value = e.message;
  };
  return { error, fail };
}
