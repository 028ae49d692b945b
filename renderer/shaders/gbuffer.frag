#version 330
in vec3 v_world;
in vec3 v_object;
in vec3 v_normal;
in vec3 v_object_normal;
in vec3 v_albedo;
flat in vec4 v_material;
in vec4 v_prev_clip;

uniform vec2 u_size;
uniform vec3 u_camera_position;

layout(location = 0) out vec4 o_albedo;  // rgb albedo, a emission
layout(location = 1) out vec4 o_normal;  // xyz world normal facing the camera, w linear depth
layout(location = 2) out vec4 o_motion;  // xy motion (px), z depth in the previous frame

//#include pattern.glsl

void main() {
    vec3 n = normalize(v_normal);
    // Meshes from files have inconsistent winding: shade the side the camera sees. The side
    // is the triangle's own (its plane from the screen derivatives), not the interpolated
    // normal's: near a smooth mesh's silhouette that one tips past the view direction, and
    // flipping it by the view would point it into the surface.
    vec3 view = v_world - u_camera_position;
    vec3 ng = cross(dFdx(v_world), dFdy(v_world));
    if (dot(ng, ng) == 0.0) ng = -view;  // a triangle seen edge-on: no plane to go by
    if (dot(ng, view) > 0.0) ng = -ng;
    if (dot(n, ng) < 0.0) n = -n;
    // Patterns live in object space, position and normal both, so they stick to moving objects.
    float m = albedo_pattern(v_object, normalize(v_object_normal), v_material.xyz);
    o_albedo = vec4(clamp(v_albedo * m, 0.0, 1.0), v_material.w);
    // For a perspective projection clip.w is the view-space depth, so 1/gl_FragCoord.w is
    // this frame's linear depth and v_prev_clip.w the surface's depth in the previous frame.
    o_normal = vec4(n, 1.0 / gl_FragCoord.w);
    // Projections are flipped in y (see renderer.py): window coordinates are image pixels.
    vec2 prev_px = (v_prev_clip.xy / v_prev_clip.w * 0.5 + 0.5) * u_size;
    o_motion = vec4(prev_px - gl_FragCoord.xy, v_prev_clip.w, 0.0);
}
