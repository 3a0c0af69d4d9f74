/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { MirrorOptionValue } from '../../mirrors/mirror-options.js';
import { When } from './ui.js';

/**
 * An on/off mirror option as a select: Default (what the global setting says today), On, Off;
 * with who set it and when. The default is its own choice, so a mirror can follow the global
 * setting when it changes rather than copy today's value.
 */
export const SwitchOption = (props: {
  id: string;
  name: string;
  label: string;
  /** The environment variable it overrides, e.g. MIRROR_LFS. */
  global: string;
  globallyOn: boolean;
  option: MirrorOptionValue | undefined;
  now: Date;
}) => {
  const { id, option, global, globallyOn } = props;
  const value = typeof option?.value === 'boolean' ? (option.value ? 'on' : 'off') : '';
  const onOff = (on: boolean) => (on ? 'on' : 'off');
  return (
    <>
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name} aria-describedby={`${id}-help`}>
        <option value="" selected={value === ''}>
          Default ({onOff(globallyOn)}, {global})
        </option>
        <option value="on" selected={value === 'on'}>
          On
        </option>
        <option value="off" selected={value === 'off'}>
          Off
        </option>
      </select>
      <p id={`${id}-help`} class="muted small">
        {option ? (
          <>
            Set {onOff(option.value === true)} by {option.updatedBy},{' '}
            <When at={option.updatedAt} now={props.now} />. Default follows {global} (
            {onOff(globallyOn)}).
          </>
        ) : (
          <>
            {global} applies ({onOff(globallyOn)}).
          </>
        )}
      </p>
    </>
  );
};
