#version 330
// Fills every G-buffer target where no geometry will be drawn: the sky at infinity.
uniform vec2 u_size;
uniform mat4 u_camera_to_world;
uniform vec4 u_proj;               // P00, P11, P02, P12 of this frame's projection
uniform mat4 u_prev_view_proj;

layout(location = 0) out vec4 o_albedo;
layout(location = 1) out vec4 o_normal;
layout(location = 2) out vec4 o_motion;

void main() {
    vec2 ndc = gl_FragCoord.xy / u_size * 2.0 - 1.0;
    vec3 dir_cam = vec3((ndc.x + u_proj.z) / u_proj.x, (ndc.y + u_proj.w) / u_proj.y, -1.0);
    vec3 dir = mat3(u_camera_to_world) * dir_cam;
    // A point at infinity moves with the camera's rotation only: w = 0 drops translation.
    vec4 prev_clip = u_prev_view_proj * vec4(dir, 0.0);
    vec2 motion = vec2(0.0);
    if (prev_clip.w > 0.0) {
        motion = (prev_clip.xy / prev_clip.w * 0.5 + 0.5) * u_size - gl_FragCoord.xy;
    }
    o_albedo = vec4(0.0);
    o_normal = vec4(0.0);
    o_motion = vec4(motion, 0.0, 0.0);
}
