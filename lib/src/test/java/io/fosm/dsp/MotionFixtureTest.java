package io.fosm.dsp;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link SpatialMotion} against its numpy twin (make_dsp_fixtures.py, motion.json): the envelopes of float32 windows
 * and the four motion features of a moving and a stationary source, with a missing channel and a missing previous
 * window, to 1e-9.
 */
class MotionFixtureTest {
    @Test
    @SuppressWarnings("unchecked")
    void envelopesAndMotionMatchNumpy() {
        Map<String, Object> root = MiniJson.resource("/fixtures/motion.json");
        List<Map<String, Object>> cases = (List<Map<String, Object>>) root.get("cases");
        assertEquals(2, cases.size());
        for (Map<String, Object> c : cases) {
            String name = (String) c.get("name");
            double[] channelList = MiniJson.doubles(c.get("channels"));
            int n = channelList.length;
            int[] channels = new int[n];
            List<Object> signals = (List<Object>) c.get("signals");
            List<Object> wantEnvelopes = (List<Object>) c.get("envelopes");
            double[] envelopes = new double[n * SpatialMotion.ENVELOPE_FRAMES];
            for (int i = 0; i < n; i++) {
                channels[i] = (int) channelList[i];
                double[] x = MiniJson.doubles(signals.get(i));
                SpatialMotion.envelope(x, 0, x.length, envelopes, i * SpatialMotion.ENVELOPE_FRAMES);
                double[] want = MiniJson.doubles(wantEnvelopes.get(i));
                for (int f = 0; f < want.length; f++) {
                    assertEquals(want[f], envelopes[i * SpatialMotion.ENVELOPE_FRAMES + f], 1e-9 * Math.abs(want[f]) + 1e-12,
                            name + " envelope of channel " + channels[i] + " frame " + f);
                }
            }
            double fs = (Double) c.get("sampleRate");
            int windowSamples = MiniJson.doubles(signals.get(0)).length;
            SpatialMotion motion = new SpatialMotion(((Double) c.get("neighbors")).intValue(), (Double) c.get("spacing"),
                    SpatialMotion.frameSamples(windowSamples) / fs, (Double) c.get("hopSeconds"));
            double[] out = new double[n * SpatialMotion.OUTPUTS];
            motion.compute(channels, envelopes, MiniJson.doubles(c.get("power")), MiniJson.doubles(c.get("previousPower")),
                    n, out);
            List<Object> want = (List<Object>) c.get("motion");
            for (int i = 0; i < n; i++) {
                double[] w = MiniJson.doubles(want.get(i));
                for (int k = 0; k < SpatialMotion.OUTPUTS; k++) {
                    assertEquals(w[k], out[i * SpatialMotion.OUTPUTS + k], 1e-9 * Math.abs(w[k]) + 1e-12,
                            name + " motion " + k + " of channel " + channels[i]);
                }
            }
        }
    }
}
