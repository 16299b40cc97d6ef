import { useTheme } from '@mui/material/styles';
import { Bar, BarChart, Cell, Tooltip, XAxis, YAxis } from 'recharts';

/**
 * Written votes per option, coloured so the pseudo-label and the intended answer read at a glance; letters the
 * recovery pass forced sit on top in a hatched-looking pale bar, because they are shown but never voted.
 */
export function VoteHistogram({
  letters,
  votes,
  recovered,
  pseudoLabel,
  intended,
}: {
  letters: string[];
  votes: Record<string, number>;
  recovered: Record<string, number>;
  pseudoLabel: string | null;
  intended: string;
}) {
  const theme = useTheme();
  const all = [...letters, ...[...Object.keys(votes), ...Object.keys(recovered)].filter((l, i, a) => !letters.includes(l) && a.indexOf(l) === i)];
  const data = all.map((l) => ({ letter: l, written: votes[l] ?? 0, recovered: recovered[l] ?? 0 }));
  return (
    // A fixed size: a responsive container measures after mounting and renders twice, on every item.
    <div data-testid="vote-histogram" style={{ width: 440, height: 120 }}>
      <BarChart width={440} height={120} data={data} margin={{ top: 4, right: 8, bottom: 0, left: -24 }}>
        <XAxis dataKey="letter" tickLine={false} />
        <YAxis allowDecimals={false} tickLine={false} />
        <Tooltip isAnimationActive={false} />
        <Bar dataKey="written" name="written" stackId="v" isAnimationActive={false}>
          {data.map((d) => (
            <Cell
              key={d.letter}
              fill={d.letter === pseudoLabel ? theme.palette.primary.main : d.letter === intended ? theme.palette.success.main : theme.palette.grey[500]}
            />
          ))}
        </Bar>
        <Bar dataKey="recovered" name="recovered (not voted)" stackId="v" isAnimationActive={false} fill={theme.palette.warning.light} fillOpacity={0.5} />
      </BarChart>
    </div>
  );
}
