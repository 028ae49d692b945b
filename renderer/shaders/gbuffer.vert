#version 330
// G-buffer pass: world normal, albedo, linear depth and motion vectors.
#define MAX_MODELS 17
in vec3 in_position;
in vec3 in_normal;
in vec3 in_albedo;
in vec4 in_material;
in float in_object;  // 0: static geometry, i > 0: moving object i - 1

uniform mat4 u_models[MAX_MODELS];       // object-to-world at this frame's time
uniform mat4 u_prev_models[MAX_MODELS];  // ... and at the previous frame's time
uniform mat4 u_view_proj;
uniform mat4 u_prev_view_proj;

out vec3 v_world;
out vec3 v_object;
out vec3 v_normal;
out vec3 v_object_normal;
out vec3 v_albedo;
flat out vec4 v_material;
out vec4 v_prev_clip;
invariant gl_Position;

void main() {
    int object = int(in_object + 0.5);
    // Written as in depth.vert: the depth pre-pass must produce the very same depths.
    gl_Position = u_view_proj * (u_models[object] * vec4(in_position, 1.0));
    vec4 world = u_models[object] * vec4(in_position, 1.0);
    v_world = world.xyz;
    v_object = in_position;
    // Models are rigid (rotation + translation), so mat3 keeps normals normal.
    v_normal = mat3(u_models[object]) * in_normal;
    v_object_normal = in_normal;
    v_albedo = in_albedo;
    v_material = in_material;
    v_prev_clip = u_prev_view_proj * (u_prev_models[object] * vec4(in_position, 1.0));
}
