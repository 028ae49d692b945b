#version 330
// The path-tracing stub: Lambertian direct light from area lights (sun disks, panels) and
// sky light, with visibility from shadow maps: one atlas of static geometry rendered once,
// one of moving objects rendered per frame. Each light is a fixed set of K samples (rows
// of u_samples, built by renderer/lights.py). A 1-spp sample picks, per pixel, one light
// (the sky included) in proportion to its power and one of the frame's samples of it.
// REFERENCE evaluates every sample of every light: the exact expectation of the noisy image.
//
// llvmpipe executes both sides of every branch, so the code is written branch-free where
// it can be: the cost of a pass is the cost of all of its code.

//#define REFERENCE
//#define DYNAMIC
#define MAX_LIGHTS 9
#define MAX_FRAME_SAMPLES 16
#define MAX_SUNS 4
#define KIND_SKY 1.0
#define KIND_PANEL 2.0
const float PI = 3.14159265358979;
const float PANEL_NEAR = 0.02;
const float ORTHO_NEAR = 0.9;
const float ORTHO_HALF_RANGE = 1.1;  // (far - near) / 2, in radii

uniform sampler2D u_albedo;   // rgb albedo, a emission
uniform sampler2D u_normal;   // xyz normal, w linear depth (0: background)
uniform sampler2D u_samples;  // 6 texels per light sample, see lights.sample_table
uniform sampler2DShadow u_atlas;
uniform sampler2DShadow u_dynamic_atlas;

uniform vec2 u_size;
uniform mat4 u_camera_to_world;
uniform vec4 u_proj;
uniform vec2 u_atlas_texel;
uniform float u_atlas_aspect;  // width / height

// Lights 0 .. u_light_count-1 are suns and panels; the sky is light u_light_count.
uniform int u_light_count;
uniform int u_light_offset[MAX_LIGHTS];  // first row of each light in u_samples
uniform int u_light_samples[MAX_LIGHTS];
uniform float u_light_pick[MAX_LIGHTS];  // probability of picking each light
uniform int u_frame_count[MAX_LIGHTS];   // samples of each light this frame may use
uniform int u_frame_rows[MAX_LIGHTS * MAX_FRAME_SAMPLES];  // ... and their rows
uniform vec3 u_sky_bounce;               // 2*pi * radiance of sky rays that hit geometry

uniform vec3 u_sky_zenith;
uniform vec3 u_sky_horizon;
uniform vec3 u_sky_ground;
uniform int u_sun_count;
uniform vec4 u_sun_disk[MAX_SUNS];      // xyz direction to the sun, w cos(angular radius)
uniform vec3 u_sun_radiance[MAX_SUNS];

uniform uint u_seed;
uniform int u_spp;
uniform int u_first_sample;  // index of the first sample: a top-up pass adds samples

out vec4 o_color;

uvec4 pcg4d(uvec4 v) {
    v = v * 1664525u + 1013904223u;
    v.x += v.y * v.w; v.y += v.z * v.x; v.z += v.x * v.y; v.w += v.y * v.z;
    v ^= v >> 16u;
    v.x += v.y * v.w; v.y += v.z * v.x; v.z += v.x * v.y; v.w += v.y * v.z;
    return v;
}

vec3 sky_radiance(vec3 d) {
    return d.y < 0.0 ? u_sky_ground : mix(u_sky_horizon, u_sky_zenith, sqrt(max(d.y, 0.0)));
}

vec3 background(vec3 d) {
    vec3 c = sky_radiance(d);
    for (int i = 0; i < u_sun_count; ++i) {
        c += dot(d, u_sun_disk[i].xyz) >= u_sun_disk[i].w ? u_sun_radiance[i] : vec3(0.0);
    }
    return c;
}

// Radiance reflected towards the camera through the light sample in row `row`, divided by
// albedo / pi. Sun and sky samples are directions with orthographic shadow maps; panel
// samples are points with perspective ones.
vec3 light_sample(int row, vec3 p, vec3 n) {
    vec4 where = texelFetch(u_samples, ivec2(0, row), 0);
    vec4 x_axis = texelFetch(u_samples, ivec2(1, row), 0);
    vec4 y_axis = texelFetch(u_samples, ivec2(2, row), 0);
    vec4 z_axis = texelFetch(u_samples, ivec2(3, row), 0);
    vec4 proj = texelFetch(u_samples, ivec2(4, row), 0);
    vec4 weight = texelFetch(u_samples, ivec2(5, row), 0);
    bool panel = where.w == KIND_PANEL;

    vec3 to_light = where.xyz - p;
    float d2 = max(dot(to_light, to_light), 1e-4);
    float dist = sqrt(d2);
    vec3 l_dir = panel ? to_light / dist : where.xyz;
    // A panel's normal is -z of its shadow camera.
    float geometry = panel ? max(dot(z_axis.xyz, l_dir), 0.0) / d2 : 1.0;
    float lit = max(dot(n, l_dir), 0.0) * geometry;

    // A normal offset of 0.75 shadow-map texels, with the slope-scaled depth offset the
    // maps are drawn with, keeps lit surfaces out of their own shadow; more detaches the
    // shadows of objects standing close to the ground.
    vec3 q = p + n * (0.75 * z_axis.w * (panel ? dist : 1.0)) - (panel ? where.xyz : proj.xyz);
    vec3 v = vec3(dot(q, x_axis.xyz), dot(q, y_axis.xyz), dot(q, z_axis.xyz));
    float r = proj.w;
    vec3 ndc = panel
        ? vec3(proj.x * v.xy, proj.y * v.z + proj.z) / max(-v.z, 1e-6)
        : vec3(v.xy / r, (2.0 * r - v.z - ORTHO_NEAR * r) / (ORTHO_HALF_RANGE * r) - 1.0);
    bool in_map = all(lessThanEqual(abs(ndc.xy), vec2(1.0))) && ndc.z >= -1.0
                  && (!panel || v.z < -PANEL_NEAR);
    vec2 origin = vec2(x_axis.w, y_axis.w);
    vec2 extent = vec2(weight.w, weight.w * u_atlas_aspect);
    vec2 uv = clamp(origin + (ndc.xy * 0.5 + 0.5) * extent,
                    origin + 0.5 * u_atlas_texel, origin + extent - 0.5 * u_atlas_texel);
    vec3 coord = vec3(uv, min(ndc.z * 0.5 + 0.5, 1.0));
    float vis = in_map ? texture(u_atlas, coord) : 1.0;
#ifdef DYNAMIC
    vis *= in_map ? texture(u_dynamic_atlas, coord) : 1.0;
#endif
    vec3 sky = vis * 2.0 * PI * sky_radiance(l_dir) + (1.0 - vis) * u_sky_bounce;
    return lit * (where.w == KIND_SKY ? sky : vis * weight.rgb);
}

void main() {
    ivec2 px = ivec2(gl_FragCoord.xy);
    vec4 nd = texelFetch(u_normal, px, 0);
    vec4 albedo = texelFetch(u_albedo, px, 0);
    // Projections are flipped in y, so window coordinates are image pixels (y down).
    vec2 ndc = gl_FragCoord.xy / u_size * 2.0 - 1.0;
    vec3 dir = mat3(u_camera_to_world) * vec3((ndc.x + u_proj.z) / u_proj.x,
                                              (ndc.y + u_proj.w) / u_proj.y, -1.0);
    // dir has view-space z = -1, so depth * dir is the view-space offset of the surface.
    vec3 p = u_camera_to_world[3].xyz + dir * nd.w;
    vec3 n = nd.xyz;
    vec3 sum = vec3(0.0);
#ifdef REFERENCE
    for (int l = 0; l <= u_light_count; ++l) {
        vec3 total = vec3(0.0);
        for (int k = 0; k < u_light_samples[l]; ++k) total += light_sample(u_light_offset[l] + k, p, n);
        sum += total / float(u_light_samples[l]);
    }
#else
    for (int i = 0; i < u_spp; ++i) {
        vec4 u = vec4(pcg4d(uvec4(px, u_seed, uint(u_first_sample + i)))) * (1.0 / 4294967296.0);
        int l = 0;
        float cdf = u_light_pick[0];
        while (u.x >= cdf && l < u_light_count) { l += 1; cdf += u_light_pick[l]; }
        int j = min(int(u.y * float(u_frame_count[l])), u_frame_count[l] - 1);
        sum += light_sample(u_frame_rows[l * MAX_FRAME_SAMPLES + j], p, n) / u_light_pick[l];
    }
    sum /= float(u_spp);
#endif
    // Light from the ground below the horizon, unshadowed: albedo * L_ground * (1 - n.y) / 2.
    vec3 shaded = albedo.rgb * (sum / PI + u_sky_ground * (0.5 - 0.5 * n.y));
    vec3 color = nd.w <= 0.0 ? background(normalize(dir)) : albedo.w > 0.0 ? albedo.rgb * albedo.w : shaded;
    o_color = vec4(color, 1.0);
}
