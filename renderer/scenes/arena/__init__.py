"""The arena: an open-air stadium about 25 m across, full of things that move and rotate.

It exists for object motion vectors: eleven rigid objects (a carousel, a windmill, a
turnstile, tumbling and bobbing boxes, orbiting moons, a pendulum, a bouncing ball, a rolling
drum, a spinning ring) move at up to about 7 m/s or spin at up to 270 degrees a second, with
object-space patterns so that their motion shows on their surfaces, under a sun and two
floodlights whose shadows move with them.

Y is up, units are metres, the arena's centre is the origin and +Z is "south", where the
default camera stands. Everything is deterministic: motions are smooth functions of time.

The modules: ``layout`` (where things stand), ``materials``, ``parts`` (the arena's
building blocks), ``stands`` (the static parts), ``lighting`` (sun, sky, floodlights),
``moving`` (the moving objects) and ``camera_path`` (the built-in path).
"""

from __future__ import annotations

from renderer.camera import Camera
from renderer.scenes.arena.camera_path import path_keyframes
from renderer.scenes.arena.lighting import SKY, SUN, floodlights
from renderer.scenes.arena.moving import moving_objects
from renderer.scenes.arena.stands import static_parts
from renderer.scenes.builder import SceneBuilder
from renderer.scenes.scene import Scene

__all__ = ["build", "default_camera", "path_keyframes"]


def build() -> Scene:
    """The arena at rest; its moving objects take their place from the scene time."""
    builder = SceneBuilder("arena")
    for part, material in static_parts():
        builder.add(part, material)
    for light, parts in floodlights():
        builder.add_light(light)
        for part, material in parts:
            builder.add(part, material)
    builder.add_light(SUN)
    for name, parts, motion in moving_objects():
        builder.add_dynamic(name, parts, motion)
    return builder.build(camera=default_camera(), sky=SKY, path="arena")


def default_camera() -> Camera:
    """A spectator above the south stand, looking over the whole arena."""
    return Camera.look_at((0.0, 7.0, 15.5), (0.0, 0.5, 0.0), fov=55.0)
