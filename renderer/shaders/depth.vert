#version 330
// Depth pre-pass: positions exactly as gbuffer.vert computes them (both are invariant), so
// the G-buffer pass that follows with depth test "<=" shades each pixel once.
#define MAX_MODELS 17
in vec3 in_position;
in float in_object;
uniform mat4 u_models[MAX_MODELS];
uniform mat4 u_view_proj;
invariant gl_Position;
void main() {
    gl_Position = u_view_proj * (u_models[int(in_object + 0.5)] * vec4(in_position, 1.0));
}
